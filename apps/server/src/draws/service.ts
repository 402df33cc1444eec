import { and, asc, eq, isNull } from 'drizzle-orm';
import { draws, meetings } from '@yishi/db';
import {
  canFacilitate,
  checkDrawShape,
  computeDraw,
  DRAW_METHOD,
  meetingIsOver,
  type DrawCreatePayload,
  type DrawDto,
  type DrawSeedPayload,
  type MeetingStatus,
  type PublicDrawDto,
  type SeedError,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { meetingAccess, type MeetingAccess } from '../access.ts';

type DrawRow = typeof draws.$inferSelect;

/** The DTO of a draw row. */
export function drawDto(row: DrawRow): DrawDto {
  return {
    id: row.id,
    meetingId: row.meetingId,
    title: row.title,
    entries: row.entries,
    winners: row.winners,
    seedSource: row.seedSource,
    seed: row.seed,
    key: row.key,
    steps: row.steps,
    result: row.result,
    method: DRAW_METHOD,
    createdAt: row.createdAt.toISOString(),
    seededAt: row.seededAt?.toISOString() ?? null,
  };
}

async function facilitatorOf(deps: Deps, meetingId: string, userId: string): Promise<MeetingAccess> {
  const access = await meetingAccess(deps, meetingId, userId);
  if (!access || !canFacilitate(access.role)) throw new AppError('forbidden');
  return access;
}

function seedError(error: SeedError): AppError {
  if (error.kind === 'not_a_number') return new AppError('invalid_seed', { token: error.token });
  if (error.kind === 'too_large') return new AppError('seed_too_large');
  return new AppError('seed_empty');
}

/** Every draw of a meeting in creation order; anyone on the roster. */
export async function listDraws(deps: Deps, userId: string, meetingId: string): Promise<DrawDto[]> {
  if (!(await meetingAccess(deps, meetingId, userId))) throw new AppError('forbidden');
  return listMeetingDraws(deps, meetingId);
}

/** Every draw of a meeting in creation order, unchecked (for the minutes). */
export async function listMeetingDraws(deps: Pick<Deps, 'db'>, meetingId: string): Promise<DrawDto[]> {
  const rows = await deps.db.select().from(draws).where(eq(draws.meetingId, meetingId)).orderBy(asc(draws.createdAt), asc(draws.id));
  return rows.map(drawDto);
}

/** Announces a draw: its list, the number of winners and the seed source, frozen. Host or secretary. */
export async function createDraw(deps: Deps, userId: string, body: DrawCreatePayload): Promise<DrawDto> {
  const bad = checkDrawShape(body);
  if (bad?.duplicate !== undefined) throw new AppError('duplicate_entry', { entry: bad.duplicate.slice(0, 40) });
  if (bad) throw new AppError('invalid_input', {}, {}, [bad.field]);
  const access = await facilitatorOf(deps, body.meetingId, userId);
  if (meetingIsOver(access.meeting.status as MeetingStatus)) throw new AppError('meeting_ended');
  const [row] = await deps.db
    .insert(draws)
    .values({
      id: newId(),
      meetingId: body.meetingId,
      title: body.title,
      entries: body.entries,
      winners: body.winners,
      seedSource: body.seedSource,
      createdBy: userId,
    })
    .returning();
  return drawDto(row!);
}

/**
 * Sets the seed once and stores the result computed from it. Also after the meeting ended (the
 * announced value may be the next day's lottery), but not into final minutes.
 */
export async function seedDraw(deps: Deps, userId: string, body: DrawSeedPayload): Promise<DrawDto> {
  const [draw] = await deps.db.select().from(draws).where(eq(draws.id, body.drawId));
  if (!draw) throw new AppError('not_found');
  const access = await facilitatorOf(deps, draw.meetingId, userId);
  if (draw.seed !== null) throw new AppError('draw_seeded');
  if (access.meeting.status === 'final') throw new AppError('minutes_final');
  const computed = computeDraw(draw.entries, draw.winners, body.seed);
  if (!computed.ok) throw seedError(computed.error);
  const { key, steps, result } = computed.draw;
  // `seed is null` in the update itself: of two racing seeds exactly one is stored.
  const [row] = await deps.db
    .update(draws)
    .set({ seed: body.seed, key, steps, result, seededAt: new Date() })
    .where(and(eq(draws.id, draw.id), isNull(draws.seed)))
    .returning();
  if (!row) throw new AppError('draw_seeded');
  return drawDto(row);
}

/** A draw as anyone may read it (no account): inputs, method, result. */
export async function publicDraw(deps: Deps, drawId: string): Promise<PublicDrawDto> {
  if (drawId.length > 64) throw new AppError('not_found');
  const [found] = await deps.db
    .select({ draw: draws, meetingTitle: meetings.title })
    .from(draws)
    .innerJoin(meetings, eq(meetings.id, draws.meetingId))
    .where(eq(draws.id, drawId));
  if (!found) throw new AppError('not_found');
  const { meetingId: _meeting, ...dto } = drawDto(found.draw);
  return { ...dto, meetingTitle: found.meetingTitle };
}
