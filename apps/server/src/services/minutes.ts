import { asc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { SessionUser } from '@yishi/auth';
import { communities, docSnapshots, docUpdates, meetings } from '@yishi/db';
import { buildMinutes, minutesFileName, renderDocx, renderMarkdown, type Minutes, type MinutesInput } from '@yishi/minutes';
import { canFacilitate, readAgenda, type Locale, type MeetingKind } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../http/errors.ts';
import { listPolls } from '../polls/service.ts';
import { meetingFollowUps } from './followups.ts';
import { listParticipants, requireParticipant, type MeetingAccess } from './meetings.ts';

/**
 * A meeting's document as stored: the snapshot, then every update still in the log (compaction
 * deletes exactly the rows it merged, and re-applying one already merged is a no-op in Yjs).
 * Read-only. Stands in until the Yjs layer exports a loader that also sees a live room.
 */
export async function loadStoredDoc(deps: Deps, meetingId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const [snapshot] = await deps.db.select({ state: docSnapshots.state }).from(docSnapshots).where(eq(docSnapshots.meetingId, meetingId));
  const rows = await deps.db
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(eq(docUpdates.meetingId, meetingId))
    .orderBy(asc(docUpdates.id));
  for (const [id, update] of [...(snapshot ? [[0, snapshot.state] as const] : []), ...rows.map((r) => [r.id, r.update] as const)]) {
    try {
      Y.applyUpdate(doc, update);
    } catch (err) {
      // One unreadable update must not cost the secretary the whole minutes.
      deps.logger.error({ err, meetingId, updateId: id }, 'skipped a stored document update that cannot be applied');
    }
  }
  return doc;
}

/** Host and secretary write the minutes; everyone else gets 403 (401 / 404 as usual). */
async function requireMinutesWriter(deps: Deps, user: SessionUser | null, meetingId: string): Promise<{ user: SessionUser; access: MeetingAccess }> {
  const access = await requireParticipant(deps, user, meetingId);
  if (!user || !canFacilitate(access.role)) throw new AppError('forbidden');
  return { user, access };
}

/** Everything the minutes are assembled from, for a caller already allowed to read them. */
async function gatherInput(deps: Deps, user: SessionUser, access: MeetingAccess): Promise<MinutesInput> {
  const { meeting } = access;
  const [community] = await deps.db.select({ name: communities.name }).from(communities).where(eq(communities.id, meeting.communityId));
  const [roster, doc, polls, followUps] = await Promise.all([
    listParticipants(deps, user, meeting.id),
    loadStoredDoc(deps, meeting.id),
    listPolls(deps, meeting.id),
    meetingFollowUps(deps, user, meeting.id),
  ]);
  const agenda = readAgenda(doc);
  doc.destroy();
  return {
    meeting: {
      id: meeting.id,
      title: meeting.title,
      kind: meeting.kind as MeetingKind,
      startsAt: meeting.startsAt?.toISOString() ?? null,
      createdAt: meeting.createdAt.toISOString(),
      location: meeting.location,
      communityName: community?.name ?? '',
      summary: meeting.summary,
    },
    roster,
    doc: agenda,
    polls,
    followUps,
  };
}

/** The minutes model of a meeting (GET /api/meetings/:id/minutes, the preview page). */
export async function getMinutes(deps: Deps, user: SessionUser | null, meetingId: string, locale: Locale): Promise<Minutes> {
  const writer = await requireMinutesWriter(deps, user, meetingId);
  return buildMinutes(await gatherInput(deps, writer.user, writer.access), locale);
}

export interface MinutesFile {
  fileName: string;
  contentType: string;
  body: string | Uint8Array<ArrayBuffer>;
}

const CONTENT_TYPES = {
  md: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

/** The minutes as a downloadable Markdown or Word file; the same model behind both. */
export async function exportMinutes(deps: Deps, user: SessionUser | null, meetingId: string, format: 'md' | 'docx', locale: Locale): Promise<MinutesFile> {
  const minutes = await getMinutes(deps, user, meetingId, locale);
  const body = format === 'md' ? renderMarkdown(minutes) : await renderDocx(minutes);
  return { fileName: minutesFileName(minutes, format), contentType: CONTENT_TYPES[format], body };
}

/** Sets (or, with null or blank text, clears) the closing summary; host or secretary. */
export async function updateSummary(deps: Deps, user: SessionUser | null, meetingId: string, summary: string | null): Promise<{ summary: string | null }> {
  await requireMinutesWriter(deps, user, meetingId);
  const value = summary?.trim() ? summary.replace(/\r\n?/g, '\n') : null;
  await deps.db.update(meetings).set({ summary: value }).where(eq(meetings.id, meetingId));
  deps.events.emit('meeting', meetingId);
  return { summary: value };
}
