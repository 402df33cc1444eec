import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { SessionUser } from '@yishi/auth';
import { communities, meetings } from '@yishi/db';
import { buildMinutes, minutesFileName, renderDocx, renderMarkdown, type Minutes, type MinutesInput } from '@yishi/minutes';
import { canFacilitate, readAgenda, readCharter, type Locale, type MeetingKind } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { readStoredState } from '../yjs/persistence.ts';
import { listPolls } from '../polls/service.ts';
import { listMeetingDraws } from '../draws/service.ts';
import { meetingFollowUps } from './followups.ts';
import { requireParticipant, type MeetingAccess } from '../access.ts';
import { listParticipants, meetingLifecycle } from './meetings.ts';

/**
 * A meeting's document: what is stored, merged with the live document when the room is loaded in
 * this process (Yjs merges idempotently, so nothing counts twice). The caller destroys it.
 */
export async function loadMeetingDoc(deps: Deps, meetingId: string): Promise<Y.Doc> {
  const { doc } = await readStoredState(deps.db, meetingId, {
    // One unreadable update must not cost the secretary the whole minutes.
    onCorruptUpdate: (id, updateId, err) => deps.logger.error({ err, meetingId: id, updateId }, 'skipped a stored document update that cannot be applied'),
  });
  const live = deps.liveDocs.get(meetingId);
  if (live) Y.applyUpdate(doc, Y.encodeStateAsUpdate(live, Y.encodeStateVector(doc)));
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
  const [roster, doc, polls, draws, followUps] = await Promise.all([
    listParticipants(deps, user, meeting.id),
    loadMeetingDoc(deps, meeting.id),
    listPolls(deps, meeting.id),
    listMeetingDraws(deps, meeting.id),
    meetingFollowUps(deps, user, meeting.id),
  ]);
  const agenda = readAgenda(doc);
  const charter = readCharter(doc);
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
      finalizedAt: meeting.finalizedAt?.toISOString() ?? null,
      reopenings: (await meetingLifecycle(deps, meeting.id))
        .filter((e) => e.kind === 'reopened')
        .map((e) => ({ at: e.at, byName: e.byName, reason: e.reason ?? '' })),
    },
    roster,
    doc: agenda,
    polls,
    draws: draws.map((d) => ({ ...d, verifyUrl: new URL(`/d/${d.id}`, deps.publicBaseUrl()).toString() })),
    followUps,
    charter,
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
  const { access } = await requireMinutesWriter(deps, user, meetingId);
  if (access.meeting.status === 'final') throw new AppError('minutes_final');
  const value = summary?.trim() ? summary.replace(/\r\n?/g, '\n') : null;
  await deps.db.update(meetings).set({ summary: value }).where(eq(meetings.id, meetingId));
  deps.events.emit('meeting', meetingId);
  return { summary: value };
}
