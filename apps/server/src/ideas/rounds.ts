import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { householdCodes, ideaCampaigns, ideaThemes, rankingRounds, roundAnswers, roundItems, units } from '@yishi/db';
import {
  HOUSEHOLD_CODE_LENGTH,
  householdKey,
  normalizeBuilding,
  normalizeCode,
  pairsToAsk,
  tallyRound,
  validPairs,
  validRanking,
  type AnswerSource,
  type CreateRoundBody,
  type HouseholdCodeDto,
  type HouseholdMode,
  type PublicRoundDto,
  type RankingMethod,
  type RoundAnswer,
  type RoundAnswerBody,
  type RoundDto,
  type RoundResultDto,
  type RoundStatus,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { addressKey } from '../limits.ts';
import { requireCampaignAdmin, requireRoundAdmin } from './access.ts';
import { isUniqueViolation, newCode } from './codes.ts';

type RoundRow = typeof rankingRounds.$inferSelect;

/** Rounds as organisers see them, with their items and how many households answered. */
export async function roundDtos(deps: Deps, rows: RoundRow[]): Promise<RoundDto[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [items, counts] = await Promise.all([
    deps.db.select().from(roundItems).where(inArray(roundItems.roundId, ids)).orderBy(asc(roundItems.position)),
    deps.db.select({ id: roundAnswers.roundId, n: count() }).from(roundAnswers).where(inArray(roundAnswers.roundId, ids)).groupBy(roundAnswers.roundId),
  ]);
  const countOf = new Map(counts.map((c) => [c.id, c.n]));
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaignId,
    title: r.title,
    method: r.method as RankingMethod,
    households: r.households as HouseholdMode,
    status: r.status as RoundStatus,
    items: items.filter((i) => i.roundId === r.id).map((i) => ({ id: i.id, label: i.label, themeId: i.themeId })),
    pairsPerHousehold: r.pairsPerHousehold,
    answers: countOf.get(r.id) ?? 0,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** A round over the campaign's themes and/or projects named here (e.g. 21 projects). */
export async function createRound(deps: Deps, user: SessionUser | null, campaignId: string, body: CreateRoundBody): Promise<RoundDto> {
  await requireCampaignAdmin(deps, user, campaignId);
  const themeIds = [...new Set(body.themeIds ?? [])];
  const themes = themeIds.length ? await deps.db.select().from(ideaThemes).where(and(eq(ideaThemes.campaignId, campaignId), inArray(ideaThemes.id, themeIds))) : [];
  if (themes.length !== themeIds.length) throw new AppError('invalid_input', {}, {}, ['themeIds']);
  const id = newId();
  const labels = [...themeIds.map((t) => ({ label: themes.find((x) => x.id === t)!.title, themeId: t })), ...(body.projects ?? []).map((label) => ({ label, themeId: null }))];
  await deps.db.transaction(async (tx) => {
    await tx.insert(rankingRounds).values({ id, campaignId, title: body.title, method: body.method, households: body.households, pairsPerHousehold: body.pairsPerHousehold ?? 10 });
    await tx.insert(roundItems).values(labels.map((l, position) => ({ id: newId(), roundId: id, label: l.label, themeId: l.themeId, position })));
  });
  deps.events.emit('ideas', campaignId, null);
  const [row] = await deps.db.select().from(rankingRounds).where(eq(rankingRounds.id, id));
  return (await roundDtos(deps, [row!]))[0]!;
}

export async function updateRound(deps: Deps, user: SessionUser | null, roundId: string, status: RoundStatus): Promise<RoundDto> {
  const { round } = await requireRoundAdmin(deps, user, roundId);
  const [row] = await deps.db.update(rankingRounds).set({ status }).where(eq(rankingRounds.id, roundId)).returning();
  deps.events.emit('ideas', round.campaignId, null);
  return (await roundDtos(deps, [row!]))[0]!;
}

async function codeList(deps: Deps, roundId: string): Promise<HouseholdCodeDto[]> {
  const rows = await deps.db
    .select({ unitId: units.id, building: units.building, unit: units.unit, code: householdCodes.code, answered: sql<boolean>`${roundAnswers.household} is not null` })
    .from(householdCodes)
    .innerJoin(units, eq(units.id, householdCodes.unitId))
    .leftJoin(roundAnswers, and(eq(roundAnswers.roundId, householdCodes.roundId), eq(roundAnswers.household, householdCodes.unitId)))
    .where(eq(householdCodes.roundId, roundId))
    .orderBy(asc(units.position));
  return rows.map((r) => ({ ...r, answered: Boolean(r.answered) }));
}

/**
 * One household code per unit of the register (units added since get theirs; existing codes stay,
 * so slips already handed out keep working). Codes rounds only.
 */
export async function generateCodes(deps: Deps, user: SessionUser | null, roundId: string): Promise<HouseholdCodeDto[]> {
  const { round, campaign } = await requireRoundAdmin(deps, user, roundId);
  if (round.households !== 'codes') throw new AppError('invalid_input', {}, {}, ['households']);
  const register = await deps.db.select({ id: units.id }).from(units).where(eq(units.communityId, campaign.communityId));
  if (!register.length) throw new AppError('register_empty');
  const have = new Set((await deps.db.select({ unitId: householdCodes.unitId }).from(householdCodes).where(eq(householdCodes.roundId, roundId))).map((r) => r.unitId));
  const missing = register.filter((u) => !have.has(u.id));
  for (let i = 0; i < missing.length; i += 500) {
    const chunk = missing.slice(i, i + 500);
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.db
          .insert(householdCodes)
          .values(chunk.map((u) => ({ roundId, unitId: u.id, code: newCode(HOUSEHOLD_CODE_LENGTH) })))
          .onConflictDoNothing({ target: [householdCodes.roundId, householdCodes.unitId] });
        break;
      } catch (error) {
        // Two equal random codes in one round (≈ never): draw the chunk again.
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }
  return codeList(deps, roundId);
}

export async function listCodes(deps: Deps, user: SessionUser | null, roundId: string): Promise<HouseholdCodeDto[]> {
  await requireRoundAdmin(deps, user, roundId);
  return codeList(deps, roundId);
}

async function requireRound(deps: Deps, roundId: string): Promise<RoundRow> {
  const [round] = await deps.db.select().from(rankingRounds).where(eq(rankingRounds.id, roundId));
  if (!round) throw new AppError('not_found');
  return round;
}

/** What a household needs to answer: the items (and, pairwise, the pairs for this visit). */
export async function publicRound(deps: Deps, roundId: string): Promise<PublicRoundDto> {
  const round = await requireRound(deps, roundId);
  const [dto] = await roundDtos(deps, [round]);
  const [campaign] = await deps.db.select({ title: ideaCampaigns.title }).from(ideaCampaigns).where(eq(ideaCampaigns.id, round.campaignId));
  const items = dto!.items.map((i) => ({ id: i.id, label: i.label }));
  return {
    id: round.id,
    title: round.title,
    campaignTitle: campaign?.title ?? '',
    method: dto!.method,
    households: dto!.households,
    status: dto!.status,
    items,
    ...(dto!.method === 'pairwise' ? { pairs: pairsToAsk(items.map((i) => i.id), round.pairsPerHousehold) } : {}),
  };
}

/** The household an answer speaks for, and its building key; throws when it cannot be known. */
async function resolveHousehold(deps: Deps, round: RoundRow, body: RoundAnswerBody, ip: string | null): Promise<{ household: string; building: string }> {
  if (round.households === 'codes') {
    const find = async () => {
      const code = body.code ? normalizeCode(body.code, HOUSEHOLD_CODE_LENGTH) : null;
      if (!body.code) throw new AppError('household_required');
      const [row] = code
        ? await deps.db
            .select({ unitId: householdCodes.unitId, building: units.building })
            .from(householdCodes)
            .innerJoin(units, eq(units.id, householdCodes.unitId))
            .where(and(eq(householdCodes.roundId, round.id), eq(householdCodes.code, code)))
        : [];
      if (!row) throw new AppError('unknown_household_code');
      return { household: row.unitId, building: normalizeBuilding(row.building) };
    };
    if (ip === null) return find();
    // Only wrong codes use up the address's guesses, and an address out of guesses is refused
    // even a right code, so a guesser learns nothing past the limit. The code is looked up first
    // and charged only when wrong: all the households of an estate behind one NAT come through
    // here, and a right code then costs one read instead of two writes to the address's one row.
    // At most the gate's few attempts in flight can pass while the last points are being taken.
    const address = addressKey(ip);
    return deps.limits.gate(`household ${address}`, async () => {
      let found: { household: string; building: string } | null = null;
      try {
        found = await find();
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'unknown_household_code') throw error;
        await deps.limits.take('household.guess', address);
        throw error;
      }
      await deps.limits.check('household.guess', address);
      return found;
    });
  }
  if (ip !== null) await deps.limits.take('answer.address', addressKey(ip));
  const key = householdKey(body.building ?? '', body.unit ?? '');
  if (!key) throw new AppError('household_required');
  const [campaign] = await deps.db.select({ communityId: ideaCampaigns.communityId }).from(ideaCampaigns).where(eq(ideaCampaigns.id, round.campaignId));
  const [{ n } = { n: 0 }] = await deps.db.select({ n: count() }).from(units).where(eq(units.communityId, campaign!.communityId));
  if (n > 0) {
    // With a register, a declared household must be one of its units: one answer per unit id.
    const [unit] = await deps.db.select({ id: units.id, building: units.building }).from(units).where(and(eq(units.communityId, campaign!.communityId), eq(units.key, key)));
    if (!unit) throw new AppError('unit_not_in_register');
    return { household: unit.id, building: normalizeBuilding(unit.building) };
  }
  return { household: key, building: key.split('|')[0]! };
}

/**
 * One household's answer, online (ip given: throttled) or on paper (typed in by a volunteer).
 * The (round, household) primary key makes it exactly-once; a later answer replaces the row.
 */
export async function answerRound(deps: Deps, roundId: string, body: RoundAnswerBody, ip: string | null, source: AnswerSource = 'online', collectedBy: string | null = null) {
  const round = await requireRound(deps, roundId);
  if (round.status !== 'open') throw new AppError('round_closed');
  const items = (await deps.db.select({ id: roundItems.id }).from(roundItems).where(eq(roundItems.roundId, roundId))).map((i) => i.id);
  if (round.method === 'borda' ? !body.ranking || !body.ranking.length || !validRanking(body.ranking, items) : !body.pairs || !validPairs(body.pairs, items)) {
    throw new AppError('invalid_ranking');
  }
  const { household, building } = await resolveHousehold(deps, round, body, ip);
  const [row] = await deps.db
    .insert(roundAnswers)
    .values({ roundId, household, building, source, collectedBy, ranking: body.ranking ?? null, pairs: body.pairs ?? null })
    .onConflictDoUpdate({
      target: [roundAnswers.roundId, roundAnswers.household],
      set: {
        building: sql`excluded.building`,
        source: sql`excluded.source`,
        collectedBy: sql`excluded.collected_by`,
        ranking: sql`excluded.ranking`,
        pairs: sql`excluded.pairs`,
        // excluded.seq is the fresh sequence value drawn for the proposed row: the answer is now the latest.
        seq: sql`excluded.seq`,
        answeredAt: sql`now()`,
      },
    })
    .returning({ replaced: sql<boolean>`xmax <> 0` });
  deps.events.emit('ideas', round.campaignId, null);
  return { ok: true as const, replaced: Boolean(row?.replaced) };
}

export async function paperAnswer(deps: Deps, user: SessionUser | null, roundId: string, body: RoundAnswerBody & { collectedBy: string }) {
  await requireRoundAdmin(deps, user, roundId);
  return answerRound(deps, roundId, body, null, 'paper', body.collectedBy);
}

/** Overall order with scores, turnout and the per-building breakdown (admins). */
export async function roundResult(deps: Deps, user: SessionUser | null, roundId: string): Promise<RoundResultDto> {
  const { round } = await requireRoundAdmin(deps, user, roundId);
  const [[dto], rows, [eligible]] = await Promise.all([
    roundDtos(deps, [round]),
    deps.db.select({ household: roundAnswers.household, building: roundAnswers.building, source: roundAnswers.source, seq: roundAnswers.seq, ranking: roundAnswers.ranking, pairs: roundAnswers.pairs }).from(roundAnswers).where(eq(roundAnswers.roundId, roundId)),
    deps.db.select({ n: count() }).from(householdCodes).where(eq(householdCodes.roundId, roundId)),
  ]);
  const answers: RoundAnswer[] = rows.map((r) => ({ household: r.household, building: r.building, source: r.source as AnswerSource, seq: r.seq, ranking: r.ranking ?? undefined, pairs: r.pairs ?? undefined }));
  return {
    round: dto!,
    result: tallyRound(round.method as RankingMethod, dto!.items.map((i) => i.id), answers),
    eligible: round.households === 'codes' ? (eligible?.n ?? 0) : null,
  };
}
