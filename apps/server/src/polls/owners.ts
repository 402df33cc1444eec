import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { meetings, participants, participantUnits, pollBallots, pollUnits, polls, units, type Db, type Tx } from '@yishi/db';
import {
  canFacilitate,
  countHeads,
  headKey,
  totalArea,
  type MeetingUnitDto,
  type MeetingUnitsDto,
  type MyPollStatus,
  type OwnersBallot,
  type OwnersMatter,
  type PollPaperPayload,
  type PollUnitDto,
  type PollUnitsPayload,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { meetingAccess } from '../access.ts';
import type { PollRow } from './openPolls.ts';
import { newReceipt } from './receipts.ts';
import { receiptTag, sealBallot } from './ballotSeal.ts';

/*
 * Owners' polls (docs/owners-polls.md): the units a participant represents, the poll's copy of the
 * register fixed at open, the weight an online ballot carries, and paper ballots entered by unit.
 */

/** A unit as the roster shows it: "1-201", and whether it is represented by proxy (委托). */
export interface BoundUnit {
  id: string;
  label: string;
  proxy: boolean;
}

const unitLabel = (u: { building: string; unit: string }) => `${u.building}-${u.unit}`;

/** Most units one participant may represent (a developer's representative may hold many). */
export const MAX_BOUND_UNITS = 2000;
const INSERT_CHUNK = 500;

/**
 * Binds a participant to the units they represent in this meeting, replacing what they had. A
 * unit goes to one person per meeting, and so does every unit of the same person (art. 9: one
 * owner's units, the developer's unsold units), so that each person's ballot is counted once.
 * Host or secretary; the meeting row is locked so that two bindings at once cannot split a person.
 */
export async function bindUnits(deps: Deps, meetingId: string, userId: string, unitIds: readonly string[], proxyIds: readonly string[]): Promise<BoundUnit[]> {
  const wanted = [...new Set(unitIds)];
  const proxy = new Set(proxyIds);
  if (wanted.length > MAX_BOUND_UNITS || [...proxy].some((id) => !wanted.includes(id))) throw new AppError('invalid_input', {}, {}, ['units']);
  await deps.db.transaction(async (tx) => {
    const [meeting] = await tx.select({ communityId: meetings.communityId }).from(meetings).where(eq(meetings.id, meetingId)).for('update');
    if (!meeting) throw new AppError('not_found');
    const register = await tx.select().from(units).where(eq(units.communityId, meeting.communityId));
    const byId = new Map(register.map((u) => [u.id, u]));
    if (wanted.some((id) => !byId.has(id))) throw new AppError('unit_not_in_register');
    const heads = new Map(register.map((u) => [u.id, headKey(u, u.id)]));
    // Whoever else holds a unit of one of these persons.
    const others = await tx
      .select({ unitId: participantUnits.unitId, name: participants.name })
      .from(participantUnits)
      .innerJoin(participants, and(eq(participants.meetingId, participantUnits.meetingId), eq(participants.userId, participantUnits.userId)))
      .where(and(eq(participantUnits.meetingId, meetingId), sql`${participantUnits.userId} <> ${userId}`));
    const heldBy = new Map(others.map((o) => [heads.get(o.unitId) ?? '', o.name]));
    const clash = wanted.find((id) => heldBy.has(heads.get(id)!));
    if (clash) throw new AppError('unit_taken', { unit: unitLabel(byId.get(clash)!), name: heldBy.get(heads.get(clash)!)! });
    await tx.delete(participantUnits).where(and(eq(participantUnits.meetingId, meetingId), eq(participantUnits.userId, userId)));
    const rows = wanted.map((unitId) => ({ meetingId, unitId, userId, proxy: proxy.has(unitId) }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(participantUnits).values(rows.slice(i, i + INSERT_CHUNK));
  });
  return (await boundUnits(deps.db, meetingId)).get(userId) ?? [];
}

/** Every participant's bound units in a meeting, in register order. */
export async function boundUnits(db: Db, meetingId: string): Promise<Map<string, BoundUnit[]>> {
  const rows = await db
    .select({ userId: participantUnits.userId, proxy: participantUnits.proxy, id: units.id, building: units.building, unit: units.unit })
    .from(participantUnits)
    .innerJoin(units, eq(units.id, participantUnits.unitId))
    .where(eq(participantUnits.meetingId, meetingId))
    .orderBy(asc(units.position));
  const out = new Map<string, BoundUnit[]>();
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ id: r.id, label: unitLabel(r), proxy: r.proxy });
    out.set(r.userId, list);
  }
  return out;
}

/**
 * At open: copies the register into the poll (inside the opening transaction), each unit with the
 * voter who represents it — every unit of a person bound to someone among `voters` — and returns
 * who of the voters represents anything, with the register's totals. Units of nobody present stay
 * open for paper ballots.
 */
export async function fixRegister(
  tx: Tx,
  poll: PollRow,
  communityId: string,
  voters: readonly string[],
): Promise<{ represented: Set<string>; totalArea: number; totalHeads: number }> {
  const register = await tx.select().from(units).where(eq(units.communityId, communityId)).orderBy(asc(units.position));
  const total = totalArea(register);
  if (!register.length || total <= 0) throw new AppError('owners_register_empty');
  const present = new Set(voters);
  const bound = await tx.select().from(participantUnits).where(eq(participantUnits.meetingId, poll.meetingId));
  const headOf = new Map(register.map((u) => [u.id, headKey(u, u.id)]));
  // The person → who represents them (bindUnits keeps this one-to-one), and by proxy or not.
  const holder = new Map<string, { userId: string; proxy: boolean }>();
  for (const b of bound) {
    const head = headOf.get(b.unitId);
    if (head && present.has(b.userId) && !holder.has(head)) holder.set(head, { userId: b.userId, proxy: b.proxy });
  }
  const rows = register.map((u) => {
    const head = headOf.get(u.id)!;
    const by = holder.get(head);
    return { pollId: poll.id, unitId: u.id, label: unitLabel(u), head, area: u.area ?? 0, userId: by?.userId ?? null, proxy: by?.proxy ?? false };
  });
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insert(pollUnits).values(rows.slice(i, i + INSERT_CHUNK));
  return { represented: new Set([...holder.values()].map((h) => h.userId)), totalArea: total, totalHeads: countHeads(register) };
}

/** What each voter's ballot covers in an open owners' poll: area, heads, unit labels. */
export type Weights = Map<string, NonNullable<MyPollStatus['represents']>>;

export async function pollWeights(db: Db, pollId: string, userId?: string): Promise<Weights> {
  const rows = await db
    .select({ userId: pollUnits.userId, label: pollUnits.label, area: pollUnits.area, head: pollUnits.head })
    .from(pollUnits)
    .where(and(eq(pollUnits.pollId, pollId), userId ? eq(pollUnits.userId, userId) : isNotNull(pollUnits.userId)));
  const heads = new Map<string, Set<string>>();
  const out: Weights = new Map();
  for (const r of rows) {
    const w = out.get(r.userId!) ?? { units: [], area: 0, heads: 0 };
    w.units.push(r.label);
    w.area += r.area;
    const set = heads.get(r.userId!) ?? new Set();
    set.add(r.head);
    heads.set(r.userId!, set);
    w.heads = set.size;
    out.set(r.userId!, w);
  }
  return out;
}

/** The ballot an online voter casts: their choice with the weight of every unit they represent. */
export function weighted(choice: OwnersBallot['choice'], weight: { area: number; heads: number }): OwnersBallot {
  // Always these keys in this order: sealed lengths depend on it (ballotSeal.sealedLength).
  return { choice, area: weight.area, heads: weight.heads, paper: false };
}

/** Paper ballots entered so far per owners' poll (persons, not units). */
export async function paperCounts(db: Db, pollIds: string[]): Promise<Map<string, number>> {
  if (!pollIds.length) return new Map();
  const rows = await db
    .select({ pollId: pollUnits.pollId, n: sql<number>`count(distinct ${pollUnits.head})` })
    .from(pollUnits)
    .where(and(inArray(pollUnits.pollId, pollIds), eq(pollUnits.paper, true)))
    .groupBy(pollUnits.pollId);
  return new Map(rows.map((r) => [r.pollId, Number(r.n)]));
}

async function ownersPollOfFacilitator(deps: Deps, pollId: string, userId: string): Promise<PollRow> {
  const [poll] = await deps.db.select().from(polls).where(eq(polls.id, pollId));
  if (!poll) throw new AppError('not_found');
  const access = await meetingAccess(deps, poll.meetingId, userId);
  if (!access) throw new AppError('forbidden');
  if (!canFacilitate(access.role)) throw new AppError('forbidden');
  if (poll.kind !== 'owners') throw new AppError('not_owners_poll');
  return poll;
}

/** poll:units — the poll's units for entering paper ballots (host or secretary). */
export async function listPollUnits(deps: Deps, userId: string, body: PollUnitsPayload): Promise<PollUnitDto[]> {
  const poll = await ownersPollOfFacilitator(deps, body.pollId, userId);
  const rows = await deps.db
    .select({ u: pollUnits, owners: units.owners, developer: units.developer, name: participants.name })
    .from(pollUnits)
    .leftJoin(units, eq(units.id, pollUnits.unitId))
    .leftJoin(participants, and(eq(participants.meetingId, poll.meetingId), eq(participants.userId, pollUnits.userId)))
    .where(eq(pollUnits.pollId, poll.id))
    .orderBy(asc(units.position), asc(pollUnits.label));
  return rows.map(({ u, owners, developer, name }) => {
    const dto: PollUnitDto = { id: u.unitId, label: u.label, area: u.area, head: u.head, owners: owners ?? [], developer: developer ?? false, state: u.userId ? 'online' : u.paper ? 'paper' : 'open' };
    if (u.userId) {
      dto.by = name ?? '';
      dto.proxy = u.proxy;
    }
    return dto;
  });
}

/**
 * poll:paper — a paper ballot handed in for a unit: it covers every unit of the same person not
 * represented on a device, counts as one person, and is stored like any ballot of the poll (sealed
 * while a secret poll is open). The unit rows are flagged in the same transaction, so a unit never
 * votes twice, on paper or online. Host or secretary.
 */
export async function enterPaperBallot(
  deps: Deps,
  userId: string,
  body: PollPaperPayload,
  seal: (poll: PollRow) => { key: Buffer; length: number } | null,
): Promise<{ poll: PollRow; receipt: string; units: string[] }> {
  const poll = await ownersPollOfFacilitator(deps, body.pollId, userId);
  return deps.db.transaction(async (tx) => {
    // FOR SHARE, like a ballot batch: a close waits for this entry, or this entry sees it closed.
    const [open] = await tx.select({ status: polls.status }).from(polls).where(eq(polls.id, poll.id)).for('share');
    if (open?.status !== 'open') throw new AppError('poll_not_open');
    const [unit] = await tx.select().from(pollUnits).where(and(eq(pollUnits.pollId, poll.id), eq(pollUnits.unitId, body.unitId)));
    if (!unit) throw new AppError('unit_not_in_register');
    if (unit.userId) {
      const [p] = await tx.select({ name: participants.name }).from(participants).where(and(eq(participants.meetingId, poll.meetingId), eq(participants.userId, unit.userId)));
      throw new AppError('unit_online', { unit: unit.label, name: p?.name ?? '' });
    }
    const group = await tx.select().from(pollUnits).where(and(eq(pollUnits.pollId, poll.id), eq(pollUnits.head, unit.head))).for('update');
    if (group.some((g) => g.paper)) throw new AppError('unit_voted', { unit: unit.label });
    const covered = group.filter((g) => !g.userId);
    await tx
      .update(pollUnits)
      .set({ paper: true })
      .where(and(eq(pollUnits.pollId, poll.id), inArray(pollUnits.unitId, covered.map((g) => g.unitId))));
    const ballot: OwnersBallot = { choice: body.choice, area: covered.reduce((s, g) => s + g.area, 0), heads: 1, paper: true };
    const receipt = newReceipt();
    const id = newId();
    const sealing = seal(poll);
    await tx.insert(pollBallots).values({
      id,
      pollId: poll.id,
      ...(sealing ? { sealed: sealBallot(sealing.key, id, ballot, receipt, sealing.length), receiptTag: receiptTag(sealing.key, receipt) } : { choice: ballot, receipt }),
      batchId: null,
      voterId: null,
    });
    return { poll, receipt, units: covered.map((g) => g.label) };
  });
}

/** The matter and totals an owners' poll row stores. */
export function ownersOf(row: PollRow): { matter: OwnersMatter; totalArea: number; totalHeads: number } | undefined {
  if (!row.owners) return undefined;
  return { matter: row.owners.matter as OwnersMatter, totalArea: row.owners.totalArea ?? 0, totalHeads: row.owners.totalHeads ?? 0 };
}

/** GET /api/meetings/:id/units — the register for check-in: each unit with who represents it here. */
export async function meetingUnits(deps: Deps, userId: string | undefined, meetingId: string): Promise<MeetingUnitsDto> {
  if (!userId) throw new AppError('unauthenticated');
  const access = await meetingAccess(deps, meetingId, userId);
  if (!access) throw new AppError('forbidden');
  if (!canFacilitate(access.role)) throw new AppError('forbidden');
  const register = await deps.db.select().from(units).where(eq(units.communityId, access.meeting.communityId)).orderBy(asc(units.position));
  const bound = await deps.db.select().from(participantUnits).where(eq(participantUnits.meetingId, meetingId));
  const byUnit = new Map(bound.map((b) => [b.unitId, b]));
  return {
    units: register.map((u) => {
      const b = byUnit.get(u.id);
      const dto: MeetingUnitDto = { id: u.id, label: unitLabel(u), area: u.area ?? 0, owners: u.owners, developer: u.developer, head: headKey(u, u.id) };
      if (b) {
        dto.userId = b.userId;
        dto.proxy = b.proxy;
      }
      return dto;
    }),
    totalArea: totalArea(register),
    heads: countHeads(register),
  };
}
