import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { SessionUser } from '@yishi/auth';
import { meetings, participants, users } from '@yishi/db';
import { createAgendaItem, findItem, metaOf, SCHEMA_VERSION, setFocus, startTimer, type Affiliation, type PollChoice } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { addressKey } from '../limits.ts';
import { newId } from '../ids.ts';
import { BallotBox } from '../polls/ballotBox.ts';
import { castVote, closePoll, createPoll, openPoll } from '../polls/service.ts';
import { createPgPersistence } from '../yjs/persistence.ts';
import { startSession, type NewSession } from './accounts.ts';
import { createCommunity } from './communities.ts';
import { createFollowUp } from './followups.ts';
import { createMeeting } from './meetings.ts';

export const DEMO_COMMUNITY = '濱湖明珠社區（演示）';
export const DEMO_MEETING = '樓長有話說';

/** The people of the demo (from shared/DOMAIN.md), with the party each speaks for. */
const PEOPLE: { name: string; affiliation: Affiliation }[] = [
  { name: '張書記', affiliation: 'party' },
  { name: '劉委員', affiliation: 'party' },
  { name: '陳主任', affiliation: 'committee' },
  { name: '周委員', affiliation: 'committee' },
  { name: '物業王經理', affiliation: 'property' },
  { name: '3號樓趙樓長', affiliation: 'resident' },
  { name: '5號樓孫樓長', affiliation: 'resident' },
  { name: '8號樓吳樓長', affiliation: 'resident' },
  { name: '居民代表鄭阿姨', affiliation: 'resident' },
];

const CANDIDATES = ['張書記', '劉委員', '陳主任', '周委員', '趙樓長', '孫樓長', '吳樓長', '鄭阿姨'];
/** Each demo voter's ballot (candidate indexes): five clear winners, no tie at the cut. */
const BALLOTS = [
  [0, 1, 2, 3, 4],
  [0, 1, 2, 3, 5],
  [0, 1, 2, 4, 6],
  [0, 2, 3, 4, 7],
  [0, 1, 3, 4, 5],
  [1, 2, 3, 4, 6],
  [0, 1, 2, 4],
  [0, 2, 3, 4, 5],
  [1, 2, 4, 7],
];

const AGENDA = [
  {
    title: '規範停車',
    presenter: '3號樓趙樓長',
    minutes: 15,
    notes: ['晚上消防通道常被佔用，救護車曾進不來。', '物業建議在3號樓東側劃設臨時車位，夜間加強巡查。'],
  },
  {
    title: '文明養寵',
    presenter: '5號樓孫樓長',
    minutes: 10,
    notes: ['草坪和電梯裡有狗糞，鄰里有爭執。', '擬設兩處寵物便袋點，由志願者組織文明養寵宣傳。'],
  },
  {
    title: '清理樓道雜物',
    presenter: '8號樓吳樓長',
    minutes: 10,
    notes: ['8號樓樓道堆放紙箱、舊傢俱，有消防隱患。', '物業本月統一清理，樓長提前兩天張貼通知。'],
  },
  { title: '選舉議事會成員', presenter: '張書記', minutes: 10, notes: ['不記名投票，8名候選人中選出5名。'] },
];

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

/** Writes the demo agenda (with notes) into a fresh meeting document; returns the item ids. */
export function writeDemoDoc(doc: Y.Doc, now: number): string[] {
  const ids: string[] = [];
  doc.transact(() => {
    const meta = metaOf(doc);
    meta.set('schemaVersion', SCHEMA_VERSION);
    meta.set('kind', 'building-talk');
    meta.set('focus', null);
    meta.set('plannedEnd', null);
    for (const item of AGENDA) {
      const id = createAgendaItem(doc, { title: item.title, presenter: item.presenter, minutes: item.minutes });
      const notes = findItem(doc, id)!.get('notes') as Y.XmlFragment;
      notes.insert(0, item.notes.map(paragraph));
      ids.push(id);
    }
  });
  findItem(doc, ids[0]!)!.set('status', 'discussing');
  setFocus(doc, ids[0]!);
  startTimer(doc, ids[0]!, AGENDA[0]!.minutes * 60_000, now);
  return ids;
}

export interface DemoOutcome {
  result: { meetingId: string; communityId: string };
  /** Set when an account was created for an anonymous visitor: the caller sets this cookie. */
  session?: NewSession;
}

/**
 * Builds the demo meeting (shared/DOMAIN.md): a live 樓長有話說 with an agenda and notes, a closed
 * secret election of 5 among 8 cast through the real poll service, a draft motion, follow-ups and
 * demo participants. The visitor (a fresh password-less account when anonymous) is its host.
 */
export async function createDemo(deps: Deps, user: SessionUser | null, ip: string): Promise<DemoOutcome> {
  await deps.limits.take('demo', addressKey(ip));

  let host = user && !user.guestOfMeetingId ? user : null;
  let session: NewSession | undefined;
  if (!host) {
    host = { id: newId(), username: null, name: '社工小陳', guestOfMeetingId: null };
    await deps.db.insert(users).values({ id: host.id, name: host.name });
    session = await startSession(deps, host);
  }

  const community = await createCommunity(deps, host, DEMO_COMMUNITY);
  const { id: meetingId } = await createMeeting(deps, host, {
    communityId: community.id,
    title: DEMO_MEETING,
    kind: 'building-talk',
    location: '社區黨群服務中心',
    startsAt: new Date().toISOString(),
  });
  await deps.db.update(meetings).set({ status: 'live', attendanceQuorum: 7 }).where(eq(meetings.id, meetingId));

  const people = PEOPLE.map((p) => ({ ...p, id: newId() }));
  await deps.db.transaction(async (tx) => {
    await tx.insert(users).values(people.map((p) => ({ id: p.id, name: p.name, guestOfMeetingId: meetingId })));
    await tx.insert(participants).values(people.map((p) => ({ meetingId, userId: p.id, name: p.name, affiliation: p.affiliation, role: 'participant' })));
  });

  // The document is written through the Yjs server's own persistence, as the first state it loads.
  let itemIds: string[] = [];
  const loaded = await createPgPersistence(deps.db).load(meetingId, (doc) => {
    const updates: Uint8Array[] = [];
    const record = (u: Uint8Array) => updates.push(u);
    doc.on('update', record);
    itemIds = writeDemoDoc(doc, Date.now());
    doc.off('update', record);
    return Y.mergeUpdates(updates);
  });
  loaded.doc.destroy();

  const election = await createPoll(deps, host.id, {
    meetingId,
    kind: 'election',
    title: '選舉議事會成員（5名）',
    options: CANDIDATES,
    seats: 5,
    secret: true,
    agendaItemId: itemIds[3],
  });
  await openPoll(deps, host.id, { pollId: election.id });
  const box = new BallotBox(deps.db, deps.logger, { windowMs: 0 });
  try {
    await Promise.all(
      people.map((p, i) => {
        const choice: PollChoice = (BALLOTS[i] ?? []).map((c) => election.options[c]!.id);
        return castVote(deps, box, p.id, newId(), { pollId: election.id, choice });
      }),
    );
    await closePoll(deps, box, host.id, { pollId: election.id });
  } finally {
    await box.close();
  }

  await createPoll(deps, host.id, {
    meetingId,
    kind: 'motion',
    title: '同意在3號樓東側劃設臨時停車位',
    rule: 'two-thirds-cast',
    secret: true,
    agendaItemId: itemIds[0],
  });

  const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await createFollowUp(deps, host, meetingId, { title: '3號樓東側劃設臨時車位，夜間巡查消防通道', ownerAffiliation: 'property', ownerName: '物業王經理', dueDate: due(14), agendaItemId: itemIds[0] });
  await createFollowUp(deps, host, meetingId, { title: '設置兩處寵物便袋點，開展文明養寵宣傳', ownerAffiliation: 'committee', ownerName: '陳主任', dueDate: due(21), agendaItemId: itemIds[1] });
  await createFollowUp(deps, host, meetingId, { title: '8號樓樓道雜物統一清理', ownerAffiliation: 'property', ownerName: '物業王經理', dueDate: due(7), agendaItemId: itemIds[2] });

  deps.events.emit('roster', meetingId);
  return { result: { meetingId, communityId: community.id }, session };
}
