import { desc, eq } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { meetings, publishedCharters } from '@yishi/db';
import { buildCharterMinutes, chinaTime, CHARTER_TEXT, renderCharterDocx } from '@yishi/minutes';
import { adoptedClauses, CHARTER_LIMITS, mayDecideCharter, readCharter, type Locale, type PublicCharterDto } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { requireParticipant } from '../access.ts';
import { listPolls } from '../polls/service.ts';
import { docxText } from './docxText.ts';
import { loadMeetingDoc } from './minutes.ts';

/** The meeting's charter as stored (and live in this process), or 404 when it has none. */
async function meetingCharter(deps: Deps, meetingId: string) {
  const doc = await loadMeetingDoc(deps, meetingId);
  try {
    const charter = readCharter(doc);
    if (!charter) throw new AppError('not_found');
    return charter;
  } finally {
    doc.destroy();
  }
}

/** The charter's text as it stands (the adopted text once adopted) as DOCX; any participant. */
export async function exportCharterDocx(deps: Deps, user: SessionUser | null, meetingId: string, locale: Locale): Promise<{ fileName: string; body: Uint8Array<ArrayBuffer> }> {
  const { meeting } = await requireParticipant(deps, user, meetingId);
  const [charter, polls] = await Promise.all([meetingCharter(deps, meetingId), listPolls(deps, meetingId)]);
  const built = buildCharterMinutes(charter, polls, locale);
  const when = chinaTime((meeting.startsAt ?? meeting.createdAt).toISOString());
  const body = await renderCharterDocx(built, { meetingTitle: meeting.title, date: when.isoDate }, locale);
  const title = [...(built.title || CHARTER_TEXT[locale].adoptedText).replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ').trim()].slice(0, 60).join('');
  return { fileName: `${title}-${when.isoDate}.docx`, body };
}

/** A charter on the public board. */
export type PublicCharter = PublicCharterDto;

/** Publishes the adopted text on the community's public board (host or secretary; again replaces it). */
export async function publishCharter(deps: Deps, user: SessionUser | null, meetingId: string): Promise<PublicCharter> {
  const { meeting, role } = await requireParticipant(deps, user, meetingId);
  if (!user || !mayDecideCharter(role)) throw new AppError('forbidden');
  const charter = await meetingCharter(deps, meetingId);
  if (charter.status !== 'adopted') throw new AppError('charter_not_adopted');
  const polls = await listPolls(deps, meetingId);
  const final = polls.find((p) => p.id === charter.adoptionPoll);
  const votes = final?.kind === 'motion' && final.result && 'counts' in final.result && 'passed' in final.result ? final.result.counts : charter.adoptionVotes;
  const row = {
    meetingId,
    communityId: meeting.communityId,
    title: charter.title,
    clauses: adoptedClauses(charter).map((c) => c.text),
    votes: votes ? { yes: votes.yes, no: votes.no, abstain: votes.abstain } : null,
    publishedBy: user.id,
    publishedAt: new Date(),
  };
  await deps.db
    .insert(publishedCharters)
    .values(row)
    .onConflictDoUpdate({ target: publishedCharters.meetingId, set: { title: row.title, clauses: row.clauses, votes: row.votes, publishedBy: row.publishedBy, publishedAt: row.publishedAt } });
  return { meetingId, meetingTitle: meeting.title, title: row.title, clauses: row.clauses, votes: row.votes, publishedAt: row.publishedAt.toISOString() };
}

/** The community's published charters, newest first (the public board; no names). */
export async function publicCharters(deps: Deps, communityId: string): Promise<PublicCharter[]> {
  const rows = await deps.db
    .select({ c: publishedCharters, meetingTitle: meetings.title })
    .from(publishedCharters)
    .innerJoin(meetings, eq(meetings.id, publishedCharters.meetingId))
    .where(eq(publishedCharters.communityId, communityId))
    .orderBy(desc(publishedCharters.publishedAt))
    .limit(20);
  return rows.map(({ c, meetingTitle }) => ({
    meetingId: c.meetingId,
    meetingTitle,
    title: c.title,
    clauses: c.clauses,
    votes: c.votes ?? null,
    publishedAt: c.publishedAt.toISOString(),
  }));
}

/** The text of an uploaded DOCX draft (host or secretary), for the host to split and correct. */
export async function draftFromDocx(deps: Deps, user: SessionUser | null, meetingId: string, bytes: Uint8Array): Promise<{ text: string }> {
  const { role } = await requireParticipant(deps, user, meetingId);
  if (!mayDecideCharter(role)) throw new AppError('forbidden');
  const text = docxText(bytes);
  if (text === null) throw new AppError('docx_unreadable');
  return { text: text.slice(0, CHARTER_LIMITS.draft) };
}
