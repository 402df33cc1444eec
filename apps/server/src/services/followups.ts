import { and, asc, desc, eq, inArray, isNull, ne, or } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { communities, communityMembers, followUpNotes, followUps, meetings, participants } from '@yishi/db';
import {
  canEdit,
  LABELS,
  csvCell,
  isOpenFollowUp,
  isOverdue,
  meetingIsOver,
  type MeetingRole,
  type MeetingStatus,
  type Affiliation,
  type CreateFollowUpBody,
  type FollowUpDto,
  type FollowUpNoteBody,
  type FollowUpStatus,
  type UpdateFollowUpBody,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireParticipant } from '../access.ts';
import { publicCharters } from './charters.ts';

/** Today as YYYY-MM-DD in China Standard Time, the day the communities live in. */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}

type FollowUpRow = typeof followUps.$inferSelect;

interface Author {
  name: string;
  affiliation: Affiliation | null;
}

/**
 * Who may see and update a community's follow-ups: its members (account holders), and anyone who may
 * edit in one of its meetings (participants but observers) — e.g. the property manager who joined by code.
 */
async function communityAccess(deps: Deps, user: SessionUser | null, communityId: string): Promise<{ author: Author; canWrite: boolean }> {
  if (!user) throw new AppError('unauthenticated');
  const [member] = await deps.db
    .select({ role: communityMembers.role })
    .from(communityMembers)
    .where(and(eq(communityMembers.communityId, communityId), eq(communityMembers.userId, user.id)));
  if (member) return { author: { name: user.name, affiliation: null }, canWrite: true };
  const roles = await deps.db
    .select({ role: participants.role, affiliation: participants.affiliation, name: participants.name, status: meetings.status })
    .from(participants)
    .innerJoin(meetings, eq(meetings.id, participants.meetingId))
    .where(and(eq(meetings.communityId, communityId), eq(participants.userId, user.id)));
  if (!roles.length) throw new AppError('forbidden');
  // A guest exists for one meeting: what it may change in the community ends with that meeting.
  const guest = user.guestOfMeetingId !== null;
  const editor = roles.find((r) => canEdit(r.role as MeetingRole) && !(guest && meetingIsOver(r.status as MeetingStatus)));
  const first = editor ?? roles[0]!;
  return { author: { name: first.name, affiliation: first.affiliation as Affiliation }, canWrite: Boolean(editor) };
}

async function requireFollowUp(deps: Deps, id: string): Promise<FollowUpRow> {
  const [row] = await deps.db.select().from(followUps).where(eq(followUps.id, id));
  if (!row) throw new AppError('not_found');
  return row;
}

/** Follow-up rows with their notes and origin meeting titles, in one shape for every reader. */
async function toDtos(deps: Deps, rows: FollowUpRow[], today = todayInChina()): Promise<FollowUpDto[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const notes = await deps.db
    .select()
    .from(followUpNotes)
    .where(inArray(followUpNotes.followUpId, ids))
    .orderBy(asc(followUpNotes.createdAt));
  const meetingIds = [...new Set(rows.map((r) => r.meetingId).filter((m): m is string => Boolean(m)))];
  const titles = meetingIds.length
    ? await deps.db.select({ id: meetings.id, title: meetings.title }).from(meetings).where(inArray(meetings.id, meetingIds))
    : [];
  const titleOf = new Map(titles.map((t) => [t.id, t.title]));
  return rows.map((r) => ({
    id: r.id,
    communityId: r.communityId,
    meetingId: r.meetingId,
    meetingTitle: r.meetingId ? (titleOf.get(r.meetingId) ?? null) : null,
    agendaItemId: r.agendaItemId,
    title: r.title,
    ownerAffiliation: r.ownerAffiliation as Affiliation,
    ownerUserId: r.ownerUserId,
    ownerName: r.ownerName,
    dueDate: r.dueDate,
    status: r.status as FollowUpStatus,
    overdue: isOverdue(r.dueDate, r.status as FollowUpStatus, today),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    notes: notes
      .filter((n) => n.followUpId === r.id)
      .map((n) => ({
        id: n.id,
        body: n.body,
        status: n.status as FollowUpStatus | null,
        authorName: n.authorName,
        authorAffiliation: n.authorAffiliation as Affiliation | null,
        createdAt: n.createdAt.toISOString(),
      })),
  }));
}

export async function createFollowUp(deps: Deps, user: SessionUser | null, meetingId: string, body: CreateFollowUpBody): Promise<FollowUpDto> {
  const access = await requireParticipant(deps, user, meetingId);
  if (!canEdit(access.role)) throw new AppError('forbidden');
  let ownerName = body.ownerName ?? null;
  if (body.ownerUserId) {
    const [owner] = await deps.db
      .select({ name: participants.name })
      .from(participants)
      .where(and(eq(participants.meetingId, meetingId), eq(participants.userId, body.ownerUserId)));
    if (!owner) throw new AppError('invalid_input', {}, {}, ['ownerUserId']);
    ownerName ??= owner.name;
  }
  const [row] = await deps.db
    .insert(followUps)
    .values({
      id: newId(),
      communityId: access.meeting.communityId,
      meetingId,
      agendaItemId: body.agendaItemId ?? null,
      title: body.title,
      ownerAffiliation: body.ownerAffiliation,
      ownerUserId: body.ownerUserId ?? null,
      ownerName,
      dueDate: body.dueDate ?? null,
    })
    .returning();
  deps.events.emit('followups', access.meeting.communityId);
  return (await toDtos(deps, [row!]))[0]!;
}

export async function updateFollowUp(deps: Deps, user: SessionUser | null, id: string, patch: UpdateFollowUpBody): Promise<FollowUpDto> {
  const row = await requireFollowUp(deps, id);
  const { author, canWrite } = await communityAccess(deps, user, row.communityId);
  if (!canWrite && row.ownerUserId !== user?.id) throw new AppError('forbidden');
  const [updated] = await deps.db.transaction(async (tx) => {
    if (patch.status && patch.status !== row.status) {
      await tx.insert(followUpNotes).values({
        id: newId(),
        followUpId: id,
        body: '',
        status: patch.status,
        authorName: author.name,
        authorAffiliation: author.affiliation,
      });
    }
    return tx
      .update(followUps)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(followUps.id, id))
      .returning();
  });
  deps.events.emit('followups', row.communityId);
  return (await toDtos(deps, [updated!]))[0]!;
}

export async function addFollowUpNote(deps: Deps, user: SessionUser | null, id: string, body: FollowUpNoteBody): Promise<FollowUpDto> {
  const row = await requireFollowUp(deps, id);
  const { author, canWrite } = await communityAccess(deps, user, row.communityId);
  if (!canWrite && row.ownerUserId !== user?.id) throw new AppError('forbidden');
  const [updated] = await deps.db.transaction(async (tx) => {
    await tx.insert(followUpNotes).values({
      id: newId(),
      followUpId: id,
      body: body.body,
      status: body.status && body.status !== row.status ? body.status : null,
      authorName: author.name,
      authorAffiliation: author.affiliation,
    });
    return tx
      .update(followUps)
      .set({ status: body.status ?? row.status, updatedAt: new Date() })
      .where(eq(followUps.id, id))
      .returning();
  });
  deps.events.emit('followups', row.communityId);
  return (await toDtos(deps, [updated!]))[0]!;
}

/** Every follow-up of a community, open ones first, then by due date. */
export async function listCommunityFollowUps(deps: Deps, user: SessionUser | null, communityId: string): Promise<FollowUpDto[]> {
  await communityAccess(deps, user, communityId);
  return communityFollowUps(deps, communityId);
}

async function communityFollowUps(deps: Deps, communityId: string): Promise<FollowUpDto[]> {
  const rows = await deps.db
    .select()
    .from(followUps)
    .where(eq(followUps.communityId, communityId))
    .orderBy(asc(followUps.dueDate), desc(followUps.createdAt));
  const dtos = await toDtos(deps, rows);
  return dtos.sort((a, b) => Number(isOpenFollowUp(b.status)) - Number(isOpenFollowUp(a.status)));
}

/**
 * A meeting's view: follow-ups carried over (still open, from earlier meetings of the community —
 * the 上次事項推進 section) and those created in this meeting.
 */
export async function meetingFollowUps(deps: Deps, user: SessionUser | null, meetingId: string) {
  const { meeting } = await requireParticipant(deps, user, meetingId);
  const carried = await deps.db
    .select()
    .from(followUps)
    .where(
      and(
        eq(followUps.communityId, meeting.communityId),
        or(isNull(followUps.meetingId), ne(followUps.meetingId, meetingId)),
        inArray(followUps.status, ['open', 'in-progress']),
      ),
    )
    .orderBy(asc(followUps.dueDate), asc(followUps.createdAt));
  const created = await deps.db
    .select()
    .from(followUps)
    .where(eq(followUps.meetingId, meetingId))
    .orderBy(asc(followUps.createdAt));
  return { carriedOver: await toDtos(deps, carried), created: await toDtos(deps, created) };
}

/** The public board (公示): no account needed; affiliations only, no personal names. */
export async function publicBoard(deps: Deps, communityId: string) {
  const [community] = await deps.db.select({ id: communities.id, name: communities.name }).from(communities).where(eq(communities.id, communityId));
  if (!community) throw new AppError('not_found');
  const items = (await communityFollowUps(deps, communityId)).map(({ ownerName: _o, ownerUserId: _u, notes, ...rest }) => ({
    ...rest,
    ownerUserId: null,
    notes: notes.filter((n) => n.body).map(({ authorName: _a, ...note }) => note),
  }));
  return { community, followUps: items, charters: await publicCharters(deps, communityId), generatedAt: new Date().toISOString() };
}

const CSV_HEADER = ['事项', '责任方', '负责人', '期限', '状态', '逾期', '来源会议', '最新进展'];

/** CSV for spreadsheet users (UTF-8 with BOM so Excel reads the Chinese), formula-safe. */
export async function followUpsCsv(deps: Deps, user: SessionUser | null, communityId: string): Promise<string> {
  const items = await listCommunityFollowUps(deps, user, communityId);
  const labels = LABELS['zh-CN'];
  const lines = [CSV_HEADER.map(csvCell).join(',')];
  for (const f of items) {
    const latest = [...f.notes].reverse().find((n) => n.body);
    lines.push(
      [
        f.title,
        labels.affiliation[f.ownerAffiliation],
        f.ownerName ?? '',
        f.dueDate ?? '',
        labels.followUpStatus[f.status],
        f.overdue ? '是' : '',
        f.meetingTitle ?? '',
        latest?.body ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
