import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { SessionUser } from '@yishi/auth';
import { meetings, participants, users } from '@yishi/db';
import { createAgendaItem, findItem, metaOf, SCHEMA_VERSION, setFocus, startTimer, type Affiliation, type Locale, type PollChoice } from '@yishi/model';
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

/** Everything the demo says, in the visitor's language (Simplified for zh-CN, Traditional for zh-TW). */
interface DemoText {
  community: string;
  meeting: string;
  location: string;
  host: string;
  /** The people of the demo (from shared/DOMAIN.md), with the party each speaks for. */
  people: { name: string; affiliation: Affiliation }[];
  candidates: string[];
  agenda: { title: string; presenter: string; minutes: number; notes: string[] }[];
  election: string;
  motion: string;
  followUps: [string, string, string];
  owners: { property: string; committee: string };
}

const DEMO: Record<Locale, DemoText> = {
  'zh-CN': {
    community: '滨湖明珠社区（演示）',
    meeting: '楼长有话说',
    location: '社区党群服务中心',
    host: '社工小陈',
    people: [
      { name: '张书记', affiliation: 'party' },
      { name: '刘委员', affiliation: 'party' },
      { name: '陈主任', affiliation: 'committee' },
      { name: '周委员', affiliation: 'committee' },
      { name: '物业王经理', affiliation: 'property' },
      { name: '3号楼赵楼长', affiliation: 'resident' },
      { name: '5号楼孙楼长', affiliation: 'resident' },
      { name: '8号楼吴楼长', affiliation: 'resident' },
      { name: '居民代表郑阿姨', affiliation: 'resident' },
    ],
    candidates: ['张书记', '刘委员', '陈主任', '周委员', '赵楼长', '孙楼长', '吴楼长', '郑阿姨'],
    agenda: [
      { title: '规范停车', presenter: '3号楼赵楼长', minutes: 15, notes: ['晚上消防通道常被占用，救护车曾进不来。', '物业建议在3号楼东侧划设临时车位，夜间加强巡查。'] },
      { title: '文明养宠', presenter: '5号楼孙楼长', minutes: 10, notes: ['草坪和电梯里有狗粪，邻里有争执。', '拟设两处宠物便袋点，由志愿者组织文明养宠宣传。'] },
      { title: '清理楼道杂物', presenter: '8号楼吴楼长', minutes: 10, notes: ['8号楼楼道堆放纸箱、旧家具，有消防隐患。', '物业本月统一清理，楼长提前两天张贴通知。'] },
      { title: '选举议事会成员', presenter: '张书记', minutes: 10, notes: ['不记名投票，8名候选人中选出5名。'] },
    ],
    election: '选举议事会成员（5名）',
    motion: '同意在3号楼东侧划设临时停车位',
    followUps: ['3号楼东侧划设临时车位，夜间巡查消防通道', '设置两处宠物便袋点，开展文明养宠宣传', '8号楼楼道杂物统一清理'],
    owners: { property: '物业王经理', committee: '陈主任' },
  },
  'zh-TW': {
    community: '濱湖明珠社區（演示）',
    meeting: '樓長有話說',
    location: '社區黨群服務中心',
    host: '社工小陳',
    people: [
      { name: '張書記', affiliation: 'party' },
      { name: '劉委員', affiliation: 'party' },
      { name: '陳主任', affiliation: 'committee' },
      { name: '周委員', affiliation: 'committee' },
      { name: '物業王經理', affiliation: 'property' },
      { name: '3號樓趙樓長', affiliation: 'resident' },
      { name: '5號樓孫樓長', affiliation: 'resident' },
      { name: '8號樓吳樓長', affiliation: 'resident' },
      { name: '居民代表鄭阿姨', affiliation: 'resident' },
    ],
    candidates: ['張書記', '劉委員', '陳主任', '周委員', '趙樓長', '孫樓長', '吳樓長', '鄭阿姨'],
    agenda: [
      { title: '規範停車', presenter: '3號樓趙樓長', minutes: 15, notes: ['晚上消防通道常被佔用，救護車曾進不來。', '物業建議在3號樓東側劃設臨時車位，夜間加強巡查。'] },
      { title: '文明養寵', presenter: '5號樓孫樓長', minutes: 10, notes: ['草坪和電梯裡有狗糞，鄰里有爭執。', '擬設兩處寵物便袋點，由志願者組織文明養寵宣傳。'] },
      { title: '清理樓道雜物', presenter: '8號樓吳樓長', minutes: 10, notes: ['8號樓樓道堆放紙箱、舊傢俱，有消防隱患。', '物業本月統一清理，樓長提前兩天張貼通知。'] },
      { title: '選舉議事會成員', presenter: '張書記', minutes: 10, notes: ['不記名投票，8名候選人中選出5名。'] },
    ],
    election: '選舉議事會成員（5名）',
    motion: '同意在3號樓東側劃設臨時停車位',
    followUps: ['3號樓東側劃設臨時車位，夜間巡查消防通道', '設置兩處寵物便袋點，開展文明養寵宣傳', '8號樓樓道雜物統一清理'],
    owners: { property: '物業王經理', committee: '陳主任' },
  },
  en: {
    community: 'Binhu Pearl Community (demo)',
    meeting: 'Building leaders speak',
    location: 'Community service centre',
    host: 'Social worker Chen',
    people: [
      { name: 'Secretary Zhang', affiliation: 'party' },
      { name: 'Member Liu', affiliation: 'party' },
      { name: 'Chair Chen', affiliation: 'committee' },
      { name: 'Member Zhou', affiliation: 'committee' },
      { name: 'Manager Wang (property)', affiliation: 'property' },
      { name: 'Zhao, leader of building 3', affiliation: 'resident' },
      { name: 'Sun, leader of building 5', affiliation: 'resident' },
      { name: 'Wu, leader of building 8', affiliation: 'resident' },
      { name: 'Auntie Zheng, residents’ rep', affiliation: 'resident' },
    ],
    candidates: ['Secretary Zhang', 'Member Liu', 'Chair Chen', 'Member Zhou', 'Zhao', 'Sun', 'Wu', 'Auntie Zheng'],
    agenda: [
      { title: 'Parking', presenter: 'Zhao, leader of building 3', minutes: 15, notes: ['At night the fire lane is often blocked; an ambulance once could not get through.', 'The property company proposes temporary spaces east of building 3 and night patrols.'] },
      { title: 'Keeping pets considerately', presenter: 'Sun, leader of building 5', minutes: 10, notes: ['Dog mess on the lawn and in the lifts; neighbours are quarrelling.', 'Two pet-bag stations, and volunteers to run a campaign.'] },
      { title: 'Clearing the stairwells', presenter: 'Wu, leader of building 8', minutes: 10, notes: ['Boxes and old furniture in building 8’s stairwell are a fire risk.', 'The property company clears them this month; leaders post a notice two days before.'] },
      { title: 'Electing the council', presenter: 'Secretary Zhang', minutes: 10, notes: ['Secret ballot: 5 of 8 candidates.'] },
    ],
    election: 'Electing the council (5 seats)',
    motion: 'Temporary parking spaces east of building 3',
    followUps: ['Temporary spaces east of building 3; night patrols of the fire lane', 'Two pet-bag stations and a considerate-pets campaign', 'Clear building 8’s stairwell'],
    owners: { property: 'Manager Wang (property)', committee: 'Chair Chen' },
  },
};

/** The demo's names in zh-CN (tests and docs refer to these). */
export const DEMO_COMMUNITY = DEMO['zh-CN'].community;
export const DEMO_MEETING = DEMO['zh-CN'].meeting;

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

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

/** Writes the demo agenda (with notes) into a fresh meeting document; returns the item ids. */
export function writeDemoDoc(doc: Y.Doc, now: number, locale: Locale = 'zh-CN'): string[] {
  const AGENDA = DEMO[locale].agenda;
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
export async function createDemo(deps: Deps, user: SessionUser | null, ip: string, locale: Locale = 'zh-CN'): Promise<DemoOutcome> {
  const text = DEMO[locale];
  await deps.limits.take('demo', addressKey(ip));

  let host = user && !user.guestOfMeetingId ? user : null;
  let session: NewSession | undefined;
  if (!host) {
    host = { id: newId(), username: null, name: text.host, guestOfMeetingId: null };
    await deps.db.insert(users).values({ id: host.id, name: host.name });
    session = await startSession(deps, host);
  }

  const community = await createCommunity(deps, host, text.community);
  const { id: meetingId } = await createMeeting(deps, host, {
    communityId: community.id,
    title: text.meeting,
    kind: 'building-talk',
    location: text.location,
    startsAt: new Date().toISOString(),
  });
  await deps.db.update(meetings).set({ status: 'live', attendanceQuorum: 7 }).where(eq(meetings.id, meetingId));

  const people = text.people.map((p) => ({ ...p, id: newId() }));
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
    itemIds = writeDemoDoc(doc, Date.now(), locale);
    doc.off('update', record);
    return Y.mergeUpdates(updates);
  });
  loaded.doc.destroy();

  const election = await createPoll(deps, host.id, {
    meetingId,
    kind: 'election',
    title: text.election,
    options: text.candidates,
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
    title: text.motion,
    rule: 'two-thirds-cast',
    secret: true,
    agendaItemId: itemIds[0],
  });

  const due = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await createFollowUp(deps, host, meetingId, { title: text.followUps[0], ownerAffiliation: 'property', ownerName: text.owners.property, dueDate: due(14), agendaItemId: itemIds[0] });
  await createFollowUp(deps, host, meetingId, { title: text.followUps[1], ownerAffiliation: 'committee', ownerName: text.owners.committee, dueDate: due(21), agendaItemId: itemIds[1] });
  await createFollowUp(deps, host, meetingId, { title: text.followUps[2], ownerAffiliation: 'property', ownerName: text.owners.property, dueDate: due(7), agendaItemId: itemIds[2] });

  deps.events.emit('roster', meetingId);
  return { result: { meetingId, communityId: community.id }, session };
}
