import { tallyRound, type RoundAnswer } from '@yishi/model';
import type { BenchContext } from '../context.ts';
import { ResourceSampler } from '../procstat.ts';
import type { BurstRecord, BurstRequest, BurstResult } from '../protocol.ts';
import type { ScenarioResult } from '../results.ts';
import { clock, summarize } from '../stats.ts';
import { host } from './setup.ts';

const SUBMIT_P99_MS = 200;
const RESULT_P99_MS = 200;
export const RANKING_TARGET = `every household counted once (0 lost, 0 counted twice), submit p99 ≤ ${SUBMIT_P99_MS} ms, result with per-building breakdown p99 ≤ ${RESULT_P99_MS} ms`;

/** A small seeded generator, so that a run can be repeated with the same rankings. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Attempt {
  household: number;
  second: boolean;
  ranking: string[];
}

/**
 * Households answer a ranking of projects with their household codes, from real HTTP clients
 * (all from one address, as an estate behind one NAT), some answering twice; then the published
 * result is checked against what every household was last told, and its computation is timed.
 */
export async function ranking(ctx: BenchContext): Promise<ScenarioResult> {
  const { households, buildings, projects, seconds, twiceShare, resultSamples } = ctx.options.sizes.ranking;
  const owner = await host(ctx);
  const units = Array.from({ length: households }, (_, i) => ({
    building: `${(i % buildings) + 1}`,
    unit: `${Math.floor(i / buildings) + 101}`,
    area: `${80 + (i % 60)}.${String(i % 100).padStart(2, '0')}`,
    owners: [`业主${i + 1}`],
  }));
  await owner.client.json('PUT', `/api/communities/${owner.communityId}/units`, { units });
  const campaign = await owner.client.json<{ id: string }>('POST', `/api/communities/${owner.communityId}/campaigns`, { title: '2026年民生实事征集' });
  const round = await owner.client.json<{ id: string; items: { id: string }[] }>('POST', `/api/campaigns/${campaign.id}/rounds`, {
    title: `${projects}个实事项目排序`,
    method: 'borda',
    households: 'codes',
    projects: Array.from({ length: projects }, (_, i) => `实事项目${i + 1}`),
  });
  const codes = await owner.client.json<{ code: string; building: string }[]>('POST', `/api/rounds/${round.id}/codes`);
  if (codes.length !== households) throw new Error(`expected ${households} household codes, got ${codes.length}`);
  const items = round.items.map((i) => i.id);

  // The schedule: households arrive evenly over the window (jittered); some answer again later.
  const random = prng(2150);
  const windowMs = seconds * 1000;
  const againAfterMs = Math.min(5_000, windowMs / 2);
  const attempts: Attempt[] = [];
  const requests: BurstRequest[] = [];
  const probes: BurstRequest[] = [];
  for (let h = 0; h < households; h++) {
    const offsetMs = ((h + random()) * windowMs) / households;
    const first = { household: h, second: false, ranking: shuffled(items, random) };
    attempts.push(first);
    requests.push({ index: attempts.length - 1, offsetMs, method: 'POST', path: `/api/public/rounds/${round.id}/answers`, body: { code: codes[h]!.code, ranking: first.ranking } });
    if (random() < twiceShare) {
      const again = { household: h, second: true, ranking: shuffled(items, random) };
      attempts.push(again);
      requests.push({ index: attempts.length - 1, offsetMs: offsetMs + againAfterMs, method: 'POST', path: `/api/public/rounds/${round.id}/answers`, body: { code: codes[h]!.code, ranking: again.ranking } });
    }
    // The baseline: the same clients ask /healthz (one database ping) at the same moments.
    if (h % 5 === 0) probes.push({ index: h, offsetMs: offsetMs + 1, method: 'GET', path: '/healthz' });
  }

  const sampler = new ResourceSampler(ctx.yishi.pid);
  const startAt = clock() + 500;
  const answered = await ctx.pool.each<BurstResult>((w) => ({
    kind: 'http.burst',
    url: ctx.yishi.url,
    startAt,
    requests: [...requests, ...probes.map((p) => ({ ...p, index: -1 - p.index }))].filter((_, i) => i % ctx.pool.size === w),
  }));
  const usage = sampler.stop();
  const records = answered.flatMap((r) => r?.records ?? []);
  const submits = records.filter((r) => r.index >= 0);
  const baseline = records.filter((r) => r.index < 0);

  // What each household was last told: its latest acknowledged answer.
  const acked = new Map<number, { attempt: Attempt; record: BurstRecord }[]>();
  for (const r of submits) {
    if (r.status !== 201) continue;
    const attempt = attempts[r.index]!;
    acked.set(attempt.household, [...(acked.get(attempt.household) ?? []), { attempt, record: r }]);
  }
  let ambiguous = 0;
  const finals: RoundAnswer[] = [];
  for (const [household, list] of acked) {
    list.sort((a, b) => a.record.at - b.record.at);
    const last = list.at(-1)!;
    // Two answers in flight at once could commit in either order; with 5 s between them they never are.
    if (list.length > 1 && list.at(-2)!.record.at + list.at(-2)!.record.ms > last.record.at) ambiguous++;
    finals.push({ household: String(household), building: codes[household]!.building, source: 'online', seq: finals.length, ranking: last.attempt.ranking });
  }
  const expected = tallyRound('borda', items, finals);

  const timed: number[] = [];
  let result: { result: { households: number; scores: Record<string, number>; byBuilding: { tally: { households: number } }[] } } | null = null;
  for (let i = 0; i < resultSamples; i++) {
    const started = performance.now();
    result = await owner.client.json('GET', `/api/rounds/${round.id}/result`);
    timed.push(performance.now() - started);
  }
  const pure: number[] = [];
  for (let i = 0; i < resultSamples; i++) {
    const started = performance.now();
    tallyRound('borda', items, finals);
    pure.push(performance.now() - started);
  }

  const counted = result!.result.households;
  const scoresMatch = ambiguous === 0 ? items.every((id) => result!.result.scores[id] === expected.scores[id]) : true;
  const buildingsAddUp = result!.result.byBuilding.reduce((s, b) => s + b.tally.households, 0) === counted;
  const lost = Math.max(0, acked.size - counted) + (scoresMatch ? 0 : 1);
  const countedTwice = Math.max(0, counted - acked.size);
  const refused = submits.filter((r) => r.status !== 201);
  const refusedCodes = [...new Set(refused.map((r) => r.code))].slice(0, 3).join(', ');
  const submitLatency = summarize(submits.filter((r) => r.status === 201).map((r) => r.ms));
  const baselineLatency = summarize(baseline.filter((r) => r.status === 200).map((r) => r.ms));
  const resultLatency = summarize(timed);
  const spanS = (Math.max(...submits.map((r) => r.at + r.ms)) - Math.min(...submits.map((r) => r.at))) / 1000;

  const notes: string[] = [];
  if (acked.size !== households) notes.push(`${acked.size}/${households} households acknowledged (${refusedCodes})`);
  if (lost) notes.push(`${lost} lost${scoresMatch ? '' : ' (published scores differ from the acknowledged answers)'}`);
  if (countedTwice) notes.push(`${countedTwice} counted twice`);
  if (!buildingsAddUp) notes.push('per-building households do not add up');
  if (!(submitLatency.p99 <= SUBMIT_P99_MS)) notes.push(`submit p99 ${submitLatency.p99} ms > ${SUBMIT_P99_MS} ms`);
  if (!(resultLatency.p99 <= RESULT_P99_MS)) notes.push(`result p99 ${resultLatency.p99} ms > ${RESULT_P99_MS} ms`);
  const ratio = Math.round((submitLatency.p99 / baselineLatency.p99) * 100) / 100;
  return {
    scenario: 'ranking',
    status: 'ok',
    target: RANKING_TARGET,
    verdict: notes.length ? 'missed' : 'met',
    verdictNote: notes.length
      ? notes.join('; ')
      : `${counted} households counted once each in ${Math.round(spanS)} s (${attempts.length - households} answered twice), submit p99 ${submitLatency.p99} ms (${ratio}× /healthz), result p99 ${resultLatency.p99} ms`,
    rows: [
      {
        case: `${households} households, ${projects} projects`,
        server: 'yishi',
        latency: submitLatency,
        throughput: { value: Math.round(submits.length / spanS), unit: 'answers/s' },
        usage,
        extra: { acknowledged: acked.size, counted, lost, countedTwice, answeredTwice: attempts.length - households, ambiguous, scoresMatch, buildingsAddUp, refused: refused.length, p99Ratio: ratio, ...(refusedCodes ? { refusedCodes } : {}) },
      },
      { case: '/healthz from the same clients', server: 'baseline', latency: baselineLatency, extra: {} },
      { case: `result + per building (${counted} answers)`, server: 'yishi', latency: resultLatency, extra: { buildings: result!.result.byBuilding.length } },
      { case: 'the same tally in-process', server: 'baseline', latency: summarize(pure), extra: {} },
    ],
  };
}
