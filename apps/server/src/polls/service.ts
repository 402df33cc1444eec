import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import { participants, pollBallots, pollEligible, polls, pollVoters } from '@yishi/db';
import {
  canFacilitate,
  canonicalChoice,
  meetingIsOver,
  type MeetingStatus,
  checkChoice,
  checkPollShape,
  SMALL_GROUP,
  tally,
  type MotionRule,
  type MyPollStatus,
  type PollChoice,
  type PollClosePayload,
  type PollCreatePayload,
  type PollDto,
  type PollKind,
  type PollOpenPayload,
  type PollOption,
  type PollResult,
  type PollStatus,
  type PollVotePayload,
  type CompositionRule,
  type ElectionBallot,
  type ElectionResult,
  type ElectionThreshold,
  type PollRunoffPayload,
  type StoredChoice,
  type MotionChoice,
  type OwnersMatter,
  pollWarnings,
  requiredCount,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { meetingAccess, type MeetingAccess } from '../access.ts';
import { reconcilePoll, type BallotBox } from './ballotBox.ts';
import type { PollRow } from './openPolls.ts';
import { shuffle } from './receipts.ts';
import { openBallot, SealBroken, sealedLength } from './ballotSeal.ts';
import type { Logger } from '../logger.ts';
import { fixRegister, ownersOf, paperCounts, pollWeights, weighted } from './owners.ts';

/** Motion options have fixed ids; the labels are the Chinese the room reads, clients may localize by id. */
const MOTION_OPTIONS: PollOption[] = [
  { id: 'yes', label: '赞成' },
  { id: 'no', label: '反对' },
  { id: 'abstain', label: '弃权' },
];

/** Rows per insert when rewriting ballots (keeps bind parameters well under the protocol limit). */
const REWRITE_CHUNK = 1000;

/** The DTO of a poll row; counts and receipts appear only once closed. */
export function pollDto(row: PollRow, voted: number, paper = 0): PollDto {
  const dto: PollDto = {
    id: row.id,
    meetingId: row.meetingId,
    kind: row.kind as PollKind,
    title: row.title,
    options: row.options,
    secret: row.secret,
    status: row.status as PollStatus,
    turnout: { voted, eligible: row.eligibleCount },
  };
  if (row.agendaItemId) dto.agendaItemId = row.agendaItemId;
  if (row.seats !== null) dto.seats = row.seats;
  if (row.rule !== null) dto.rule = row.rule as MotionRule;
  if (row.quorum !== null) dto.quorum = row.quorum;
  if (row.eligibleAffiliations) dto.eligibleAffiliations = row.eligibleAffiliations;
  if (row.election?.ballot) dto.ballot = row.election.ballot as ElectionBallot;
  if (row.election?.threshold) dto.threshold = row.election.threshold as ElectionThreshold;
  if (row.election?.rules?.length) dto.rules = row.election.rules;
  if (row.runoffOf) dto.runoffOf = row.runoffOf;
  if (row.owners) {
    dto.matter = row.owners.matter as OwnersMatter;
    if (row.owners.totalArea !== undefined) dto.register = { totalArea: row.owners.totalArea, totalHeads: row.owners.totalHeads ?? 0 };
    if (row.status !== 'draft') dto.paperBallots = paper;
  }
  if (row.status !== 'draft') dto.smallGroup = row.secret && row.eligibleCount < SMALL_GROUP;
  if (row.status === 'closed') {
    if (row.result) dto.result = row.result as PollResult;
    dto.receipts = row.receipts ?? [];
  }
  return dto;
}

async function turnouts(deps: Deps, pollIds: string[]): Promise<Map<string, number>> {
  if (!pollIds.length) return new Map();
  const rows = await deps.db
    .select({ pollId: pollVoters.pollId, n: count() })
    .from(pollVoters)
    .where(and(inArray(pollVoters.pollId, pollIds), eq(pollVoters.state, 'cast')))
    .groupBy(pollVoters.pollId);
  return new Map(rows.map((r) => [r.pollId, Number(r.n)]));
}

/** One poll as its DTO, or null when unknown. */
export async function getPoll(deps: Deps, pollId: string): Promise<PollDto | null> {
  const [row] = await deps.db.select().from(polls).where(eq(polls.id, pollId));
  if (!row) return null;
  return dtoWithTurnout(deps, row);
}

/** A poll row as its DTO with its turnout (and paper ballots) read now. */
export async function dtoWithTurnout(deps: Deps, row: PollRow): Promise<PollDto> {
  const [voted, paper] = await Promise.all([turnouts(deps, [row.id]), row.kind === 'owners' ? paperCounts(deps.db, [row.id]) : new Map<string, number>()]);
  return pollDto(row, voted.get(row.id) ?? 0, paper.get(row.id) ?? 0);
}

/** Every poll of a meeting in creation order (for reconnecting clients, the minutes and the board). */
export async function listPolls(deps: Deps, meetingId: string): Promise<PollDto[]> {
  const rows = await deps.db.select().from(polls).where(eq(polls.meetingId, meetingId)).orderBy(asc(polls.createdAt), asc(polls.id));
  const [voted, paper] = await Promise.all([
    turnouts(deps, rows.map((r) => r.id)),
    paperCounts(deps.db, rows.filter((r) => r.kind === 'owners').map((r) => r.id)),
  ]);
  return rows.map((r) => pollDto(r, voted.get(r.id) ?? 0, paper.get(r.id) ?? 0));
}

/** Whether the user may vote in, and has voted in, each poll of a meeting. */
export async function myPollStatus(deps: Deps, meetingId: string, userId: string): Promise<Record<string, MyPollStatus>> {
  const ids = (await deps.db.select({ id: polls.id }).from(polls).where(eq(polls.meetingId, meetingId))).map((r) => r.id);
  if (!ids.length) return {};
  const [eligible, voted] = await Promise.all([
    deps.db.select({ pollId: pollEligible.pollId }).from(pollEligible).where(and(inArray(pollEligible.pollId, ids), eq(pollEligible.userId, userId))),
    deps.db.select({ pollId: pollVoters.pollId }).from(pollVoters).where(and(inArray(pollVoters.pollId, ids), eq(pollVoters.userId, userId))),
  ]);
  const e = new Set(eligible.map((r) => r.pollId));
  const v = new Set(voted.map((r) => r.pollId));
  const mine: Record<string, MyPollStatus> = Object.fromEntries(ids.map((id) => [id, { eligible: e.has(id), voted: v.has(id) }]));
  // Owners' polls: what the caller's ballot covers (their own units and those they hold by proxy).
  const owners = await deps.db.select({ id: polls.id }).from(polls).where(and(eq(polls.meetingId, meetingId), eq(polls.kind, 'owners'), ne(polls.status, 'draft')));
  for (const { id } of owners) {
    const weight = (await pollWeights(deps.db, id, userId)).get(userId);
    if (weight && mine[id]) mine[id].represents = weight;
  }
  return mine;
}

/** The poll and the caller's place in its meeting; not_found / forbidden otherwise. */
export async function pollAccess(deps: Deps, pollId: string, userId: string): Promise<{ poll: PollRow; access: MeetingAccess }> {
  const [poll] = await deps.db.select().from(polls).where(eq(polls.id, pollId));
  if (!poll) throw new AppError('not_found');
  const access = await meetingAccess(deps, poll.meetingId, userId);
  if (!access) throw new AppError('forbidden');
  return { poll, access };
}

async function facilitatorOf(deps: Deps, meetingId: string, userId: string): Promise<MeetingAccess> {
  const access = await meetingAccess(deps, meetingId, userId);
  if (!access) throw new AppError('forbidden');
  if (!canFacilitate(access.role)) throw new AppError('forbidden');
  return access;
}

/** Like facilitatorOf, for starting something new: an ended meeting takes no new polls. */
async function facilitatorOfRunning(deps: Deps, meetingId: string, userId: string): Promise<MeetingAccess> {
  const access = await facilitatorOf(deps, meetingId, userId);
  if (meetingIsOver(access.meeting.status as MeetingStatus)) throw new AppError('meeting_ended');
  return access;
}

/** The election settings of a poll row (null: a plurality election without rules). */
function electionSettings(body: { ballot?: ElectionBallot | undefined; threshold?: ElectionThreshold | undefined; rules?: CompositionRule[] | undefined }): PollRow['election'] {
  const settings: NonNullable<PollRow['election']> = {};
  if (body.ballot && body.ballot !== 'plurality') settings.ballot = body.ballot;
  if (body.threshold && body.threshold !== 'plurality') settings.threshold = body.threshold;
  if (body.rules?.length) settings.rules = body.rules;
  return Object.keys(settings).length ? settings : null;
}

/** Prepares a poll (status draft); host or secretary only. An election with no more candidates than seats warns (差額). */
export async function createPoll(deps: Deps, userId: string, body: PollCreatePayload): Promise<PollDto> {
  const bad = checkPollShape(body);
  if (bad) throw new AppError('invalid_input', {}, {}, [bad]);
  await facilitatorOfRunning(deps, body.meetingId, userId);
  const [row] = await deps.db
    .insert(polls)
    .values({
      id: newId(),
      meetingId: body.meetingId,
      agendaItemId: body.agendaItemId ?? null,
      kind: body.kind,
      title: body.title,
      options:
        body.kind === 'motion' || body.kind === 'owners'
          ? MOTION_OPTIONS
          : body.options!.map((o, i) => {
              if (typeof o === 'string') return { id: `o${i + 1}`, label: o };
              const groups = [...new Set(o.groups ?? [])];
              return groups.length ? { id: `o${i + 1}`, label: o.label, groups } : { id: `o${i + 1}`, label: o.label };
            }),
      seats: body.kind === 'election' ? body.seats! : null,
      election: body.kind === 'election' ? electionSettings(body) : null,
      rule: body.kind === 'motion' ? (body.rule ?? 'majority') : null,
      owners: body.kind === 'owners' ? { matter: body.matter! } : null,
      quorum: body.quorum ?? null,
      secret: body.secret,
      eligibleAffiliations: body.eligibleAffiliations ?? null,
      createdBy: userId,
    })
    .returning();
  return withWarnings(pollDto(row!, 0));
}

function withWarnings(dto: PollDto): PollDto {
  const warnings = pollWarnings(dto);
  return warnings.length ? { ...dto, warnings } : dto;
}

/**
 * The further round (另行選舉) of a closed election with unfilled seats, as a draft: the candidates
 * not elected, the unfilled seats, the same ballot and threshold, and the rules as the counts still
 * missing after the seats already filled. Host or secretary only.
 */
export async function createRunoff(deps: Deps, userId: string, body: PollRunoffPayload): Promise<PollDto> {
  const { poll } = await pollAccess(deps, body.pollId, userId);
  await facilitatorOfRunning(deps, poll.meetingId, userId);
  const result = poll.result as (ElectionResult & { unfilled?: number }) | null;
  if (poll.kind !== 'election' || poll.status !== 'closed' || !result || !(result.unfilled ?? 0)) throw new AppError('runoff_unavailable');
  const elected = new Set(result.elected);
  const remaining = poll.options.filter((o) => !elected.has(o.id));
  const seats = result.unfilled;
  const rules: CompositionRule[] = (poll.election?.rules ?? [])
    .map((r) => ({ group: r.group, atLeast: requiredCount(r, poll.seats!) - poll.options.filter((o) => elected.has(o.id) && o.groups?.includes(r.group)).length }))
    .filter((r) => r.atLeast > 0);
  if (!remaining.length) throw new AppError('runoff_unavailable');
  // A retried request (a flaky tablet) gets the further round already made, not a second one.
  const [existing] = await deps.db.select().from(polls).where(eq(polls.runoffOf, poll.id));
  if (existing) return withWarnings(pollDto(existing, (await turnouts(deps, [existing.id])).get(existing.id) ?? 0));
  const [row] = await deps.db
    .insert(polls)
    .values({
      id: newId(),
      meetingId: poll.meetingId,
      agendaItemId: poll.agendaItemId,
      kind: 'election',
      title: poll.title,
      // New ids in the new poll's order; labels and groups as in the first round.
      options: remaining.map((o, i) => ({ ...o, id: `o${i + 1}` })),
      seats: Math.min(seats, remaining.length),
      election: electionSettings({ ballot: poll.election?.ballot as ElectionBallot | undefined, threshold: poll.election?.threshold as ElectionThreshold | undefined, rules }),
      quorum: poll.quorum,
      secret: poll.secret,
      eligibleAffiliations: poll.eligibleAffiliations,
      runoffOf: poll.id,
      createdBy: userId,
    })
    .returning();
  return withWarnings(pollDto(row!, 0));
}

/**
 * Opens a draft poll and fixes its eligible set: present participants, not observers, eligible on
 * the roster, of the chosen affiliations. A secret poll with few voters needs confirmSmallGroup.
 */
export async function openPoll(deps: Deps, userId: string, body: PollOpenPayload): Promise<PollDto> {
  const { poll } = await pollAccess(deps, body.pollId, userId);
  const access = await facilitatorOfRunning(deps, poll.meetingId, userId);
  const row = await deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(polls).where(eq(polls.id, poll.id)).for('update');
    if (locked?.status !== 'draft') throw new AppError('poll_not_draft');
    const roster = await tx
      .select({ userId: participants.userId, affiliation: participants.affiliation })
      .from(participants)
      .where(and(eq(participants.meetingId, poll.meetingId), eq(participants.present, true), eq(participants.eligible, true), ne(participants.role, 'observer')));
    const only = locked.eligibleAffiliations;
    let voters = only ? roster.filter((p) => only.includes(p.affiliation)) : roster;
    let owners: PollRow['owners'] = locked.owners;
    if (locked.kind === 'owners') {
      // The register is copied into the poll; only those who represent units vote on a device.
      const fixed = await fixRegister(tx, locked, access.meeting.communityId, voters.map((v) => v.userId));
      voters = voters.filter((v) => fixed.represented.has(v.userId));
      owners = { matter: locked.owners?.matter ?? 'ordinary', totalArea: fixed.totalArea, totalHeads: fixed.totalHeads };
    }
    if (locked.secret && voters.length < SMALL_GROUP && !body.confirmSmallGroup) throw new AppError('small_group_confirm', { count: voters.length });
    if (voters.length) await tx.insert(pollEligible).values(voters.map((v) => ({ pollId: poll.id, userId: v.userId })));
    const [opened] = await tx
      .update(polls)
      // Secret polls are sealed under a key from the server secret; the poll keeps its fingerprint.
      .set({ status: 'open', eligibleCount: voters.length, openedAt: new Date(), keyCheck: locked.secret ? deps.ballotKeys.check(poll.id) : null, owners })
      .where(eq(polls.id, poll.id))
      .returning();
    return opened!;
  });
  return pollDto(row, 0);
}

/** Checks a vote and hands it to the ballot box; resolves with the receipt once durably stored. */
export async function castVote(deps: Deps, box: BallotBox, userId: string, sessionToken: string, body: PollVotePayload): Promise<string> {
  const open = await box.openPolls.get(body.pollId);
  // Someone in the fixed eligible set was on the roster at open and still is (removing someone drops
  // their eligibility and this process's cache), so they pass meetingAccess: the common vote reads
  // nothing. Everyone else gets the full check.
  const poll = open?.eligible.has(userId) ? open.row : await votablePoll(deps, body.pollId, userId);
  const bad = checkChoice(
    { kind: poll.kind as PollKind, options: poll.options, seats: poll.seats ?? undefined, ballot: poll.election?.ballot as ElectionBallot | undefined },
    body.choice,
  );
  if (bad) throw new AppError(bad, bad === 'too_many_yes' ? { seats: poll.seats ?? 1 } : {});
  const choiceKey = canonicalChoice(poll.kind as PollKind, body.choice);
  let choice: StoredChoice = body.choice;
  if (poll.kind === 'owners') {
    // The ballot carries the weight of the units its voter represents, never who they are.
    const weight = open?.weights?.get(userId) ?? (await pollWeights(deps.db, poll.id, userId)).get(userId);
    if (!weight) throw new AppError('not_eligible');
    choice = weighted(body.choice as MotionChoice, weight);
  }
  return box.cast({ pollId: poll.id, userId, sessionToken, choice, choiceKey, named: !poll.secret, seal: sealOf(deps, poll) });
}

/**
 * The key a secret poll's ballots are sealed under; null for polls stored open (named polls, and
 * secret polls opened before sealing existed). A server whose secret is not the one the poll was
 * opened with refuses (ballot_key_lost) rather than seal ballots nobody could open at close.
 */
function sealKeyOf(deps: Deps, poll: PollRow): Buffer | null {
  if (!poll.secret || poll.keyCheck === null) return null;
  if (!deps.ballotKeys.matches(poll.id, poll.keyCheck)) throw new AppError('ballot_key_lost');
  return deps.ballotKeys.key(poll.id);
}

export function sealOf(deps: Deps, poll: PollRow): { key: Buffer; length: number } | null {
  const key = sealKeyOf(deps, poll);
  return key && { key, length: sealedLength({ kind: poll.kind as PollKind, options: poll.options, seats: poll.seats, ballot: poll.election?.ballot }) };
}

/** The poll if the user may vote in it now, read from the database; the error that says why not otherwise. */
async function votablePoll(deps: Deps, pollId: string, userId: string): Promise<PollRow> {
  // The poll and the caller's eligibility in one query; then the one meeting access check.
  const [row] = await deps.db
    .select({ poll: polls, eligible: pollEligible.userId })
    .from(polls)
    .leftJoin(pollEligible, and(eq(pollEligible.pollId, polls.id), eq(pollEligible.userId, userId)))
    .where(eq(polls.id, pollId));
  if (!row) throw new AppError('not_found');
  const { poll } = row;
  if (!(await meetingAccess(deps, poll.meetingId, userId))) throw new AppError('forbidden');
  if (poll.status !== 'open') throw new AppError('poll_not_open');
  if (!row.eligible) throw new AppError('not_eligible');
  return poll;
}

/**
 * Closes an open poll in one transaction: resolves pending marks, tallies, rewrites the ballots in
 * shuffled order without batch ids (one shared xmin), stores result and receipts. A unanimous small
 * secret result is published only with confirmUnanimous.
 */
export async function closePoll(deps: Deps, box: BallotBox, userId: string, body: PollClosePayload): Promise<PollDto> {
  const { poll } = await pollAccess(deps, body.pollId, userId);
  await facilitatorOf(deps, poll.meetingId, userId);
  if (poll.status !== 'open') throw new AppError('poll_not_open');
  // Checked before anything is flushed or locked: with the wrong secret the poll stays open, untouched.
  const sealKey = sealKeyOf(deps, poll);
  // Ballots this process already accepted are written first, so they count.
  await box.flush(poll.id);
  const row = await deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(polls).where(eq(polls.id, poll.id)).for('update');
    if (locked?.status !== 'open') throw new AppError('poll_not_open');
    await reconcilePoll(tx, poll.id);
    const stored = await tx.select().from(pollBallots).where(eq(pollBallots.pollId, poll.id));
    const ballots = stored.map((b) => openedBallot(b, sealKey));
    const result: PollResult = tally(
      {
        kind: locked.kind as PollKind,
        options: locked.options,
        seats: locked.seats ?? undefined,
        ballot: locked.election?.ballot as ElectionBallot | undefined,
        threshold: locked.election?.threshold as ElectionThreshold | undefined,
        rules: locked.election?.rules,
        rule: (locked.rule as MotionRule | null) ?? undefined,
        quorum: locked.quorum ?? undefined,
        secret: locked.secret,
        eligible: locked.eligibleCount,
        owners: ownersOf(locked),
      },
      ballots.map((b) => b.choice),
    );
    if (result.unanimousSmallGroup && !body.confirmUnanimous) throw new AppError('unanimous_confirm');
    if (!locked.secret) {
      const names = await tx.select({ userId: participants.userId, name: participants.name }).from(participants).where(eq(participants.meetingId, locked.meetingId));
      const nameOf = new Map(names.map((n) => [n.userId, n.name]));
      result.votes = ballots
        .filter((b) => b.voterId)
        .map((b) => ({ userId: b.voterId!, name: nameOf.get(b.voterId!) ?? '', choice: namedChoice(b.choice) }))
        .sort((a, b) => a.name.localeCompare(b.name, 'zh') || a.userId.localeCompare(b.userId));
    }
    // Rewrite: every ballot gets this transaction's xmin and a shuffled place; no batch survives.
    await tx.delete(pollBallots).where(eq(pollBallots.pollId, poll.id));
    const rewritten = shuffle(ballots).map((b) => ({ ...b, id: newId(), batchId: null, sealed: null, receiptTag: null }));
    for (let i = 0; i < rewritten.length; i += REWRITE_CHUNK) await tx.insert(pollBallots).values(rewritten.slice(i, i + REWRITE_CHUNK));
    // The marks too: their batch-wise xmins would otherwise still say who voted together; and the
    // sealed receipts are no longer needed once no retry can come.
    await tx.update(pollVoters).set({ batchId: null, sealedReceipt: null }).where(eq(pollVoters.pollId, poll.id));
    const [closed] = await tx
      .update(polls)
      .set({ status: 'closed', result, receipts: ballots.map((b) => b.receipt).sort(), closedAt: new Date() })
      .where(eq(polls.id, poll.id))
      .returning();
    return closed!;
  });
  box.openPolls.forget(poll.id);
  await vacuumBallots(deps.db, deps.logger);
  return dtoWithTurnout(deps, row);
}

type BallotRow = typeof pollBallots.$inferSelect;

/** A named poll's published choice: an owners' ballot shows its choice, not its weight. */
function namedChoice(choice: StoredChoice): PollChoice {
  return typeof choice === 'object' && !Array.isArray(choice) && 'area' in choice ? (choice.choice as PollChoice) : (choice as PollChoice);
}

/** A stored ballot with its choice and receipt readable: opened with the poll key when sealed. */
function openedBallot(b: BallotRow, sealKey: Buffer | null): BallotRow & { choice: StoredChoice; receipt: string } {
  if (b.sealed === null) return { ...b, choice: b.choice as StoredChoice, receipt: b.receipt! };
  // A sealed ballot in a poll without a key, or one that does not open: the transaction rolls back,
  // the poll stays open and every ballot stays as it was.
  if (!sealKey) throw new AppError('ballot_key_lost');
  try {
    return { ...b, ...openBallot(sealKey, b.id, b.sealed) };
  } catch (error) {
    if (error instanceof SealBroken) throw new AppError('ballot_key_lost');
    throw error;
  }
}

/**
 * Removes dead row versions of ballots and voter marks after a close (docs/threat-model.md): the
 * sealed, batch-wise versions the closing rewrite left behind. Outside any transaction, as VACUUM
 * must be; a failure is logged, never undoes the close. INDEX_CLEANUP ON: index entries of those
 * versions go too, even when there are few.
 */
export async function vacuumBallots(db: Deps['db'], logger: Logger): Promise<boolean> {
  try {
    await db.execute(sql`vacuum (index_cleanup on) poll_ballots, poll_voters`);
    return true;
  } catch (error) {
    logger.error({ err: error }, 'vacuum after closing a poll failed');
    return false;
  }
}
