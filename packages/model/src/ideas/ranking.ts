/**
 * Ranking rounds (排序) over themes or projects, answered once per household.
 *
 * - `borda`: a household orders the items, most important first. With n items, the k-th placed
 *   (0-based) scores n − 1 − k; items it left out score 0 (the poll tally's rule, so one method has
 *   one meaning in yishi).
 * - `pairwise` (All Our Ideas style): a household answers "which matters more?" for pairs of
 *   items. An item's score is the estimated chance, in percent, that it wins against a randomly
 *   chosen other item: 100 × (wins + 1) / (wins + losses + 2), the win rate with one imagined win
 *   and one imagined loss (Laplace's rule of succession), so that an item seen twice and won twice
 *   does not outrank one that won 40 of 50. Skipped pairs count nothing. All Our Ideas fits a
 *   Bayesian model for the same quantity; this closed form is its plain-counting counterpart and
 *   can be recomputed by hand from the published wins and losses.
 *
 * Every household counts once: answers are deduplicated by household, and the latest answer (by
 * its sequence number) replaces earlier ones, whether it came online or on paper.
 */

export const RANKING_METHODS = ['borda', 'pairwise'] as const;
export type RankingMethod = (typeof RANKING_METHODS)[number];

export const ANSWER_SOURCES = ['online', 'paper'] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

/** One pairwise answer: the item that matters more of the two, or null when skipped. */
export interface PairAnswer {
  a: string;
  b: string;
  winner: string | null;
}

/** One household's answer as stored. */
export interface RoundAnswer {
  household: string;
  /** The building as a key (for the breakdown); '' when unknown. */
  building: string;
  source: AnswerSource;
  /** Larger is later. */
  seq: number;
  ranking?: readonly string[];
  pairs?: readonly PairAnswer[];
}

export interface ItemScore {
  id: string;
  /** Borda points, or the pairwise estimate in percent (two decimals). */
  score: number;
  /** Pairwise only. */
  wins?: number;
  losses?: number;
}

/** Scores of one group of households (all, or one building). */
export interface RankingTally {
  households: number;
  online: number;
  paper: number;
  scores: Record<string, number>;
  /** Item ids, highest score first; equal scores keep the round's item order. */
  order: string[];
  /** Groups of items with equal scores (only groups of two or more). */
  tie: string[][];
  /** Pairwise only: per item. */
  wins?: Record<string, number>;
  losses?: Record<string, number>;
}

export interface RoundResult extends RankingTally {
  method: RankingMethod;
  /** Building key → its own tally, buildings in natural order ("2" before "10"). */
  byBuilding: { building: string; tally: RankingTally }[];
}

/** The latest answer of each household. */
export function latestPerHousehold(answers: readonly RoundAnswer[]): RoundAnswer[] {
  const latest = new Map<string, RoundAnswer>();
  for (const a of answers) {
    const seen = latest.get(a.household);
    if (!seen || a.seq > seen.seq) latest.set(a.household, a);
  }
  return [...latest.values()];
}

/** A Borda ballot is usable when it names known items, each at most once. */
export function validRanking(ranking: readonly string[], items: readonly string[]): boolean {
  const known = new Set(items);
  return new Set(ranking).size === ranking.length && ranking.every((id) => known.has(id));
}

/** Pairwise answers are usable when each pair is two different known items and the winner is one of them. */
export function validPairs(pairs: readonly PairAnswer[], items: readonly string[]): boolean {
  const known = new Set(items);
  return pairs.every((p) => p.a !== p.b && known.has(p.a) && known.has(p.b) && (p.winner === null || p.winner === p.a || p.winner === p.b));
}

/** Pairwise score in percent, rounded to two decimals, from integer counts. */
export function pairwiseScore(wins: number, losses: number): number {
  return Math.round((10_000 * (wins + 1)) / (wins + losses + 2)) / 100;
}

function orderAndTies(items: readonly string[], scores: Record<string, number>): { order: string[]; tie: string[][] } {
  const order = items
    .map((id, index) => ({ id, index, s: scores[id] ?? 0 }))
    .sort((x, y) => y.s - x.s || x.index - y.index)
    .map((x) => x.id);
  const tie: string[][] = [];
  let group: string[] = [];
  for (const id of order) {
    if (group.length && scores[group[0]!] !== scores[id]) {
      if (group.length > 1) tie.push(group);
      group = [];
    }
    group.push(id);
  }
  if (group.length > 1) tie.push(group);
  return { order, tie };
}

function tallyGroup(method: RankingMethod, items: readonly string[], answers: readonly RoundAnswer[]): RankingTally {
  const n = items.length;
  const index = new Map(items.map((id, i) => [id, i]));
  const points = new Array<number>(n).fill(0);
  const wins = new Array<number>(n).fill(0);
  const losses = new Array<number>(n).fill(0);
  let paper = 0;
  for (const a of answers) {
    if (a.source === 'paper') paper++;
    if (method === 'borda') {
      a.ranking?.forEach((id, k) => {
        const i = index.get(id);
        if (i !== undefined) points[i]! += n - 1 - k;
      });
    } else {
      for (const p of a.pairs ?? []) {
        if (p.winner === null) continue;
        const loser = p.winner === p.a ? p.b : p.a;
        const w = index.get(p.winner);
        const l = index.get(loser);
        if (w === undefined || l === undefined) continue;
        wins[w]!++;
        losses[l]!++;
      }
    }
  }
  const scores: Record<string, number> = {};
  items.forEach((id, i) => (scores[id] = method === 'borda' ? points[i]! : pairwiseScore(wins[i]!, losses[i]!)));
  const tally: RankingTally = { households: answers.length, online: answers.length - paper, paper, scores, ...orderAndTies(items, scores) };
  if (method === 'pairwise') {
    tally.wins = Object.fromEntries(items.map((id, i) => [id, wins[i]!]));
    tally.losses = Object.fromEntries(items.map((id, i) => [id, losses[i]!]));
  }
  return tally;
}

const natural = new Intl.Collator('zh-CN', { numeric: true });

/** The round's result: overall and per building, every household counted once (its latest answer). */
export function tallyRound(method: RankingMethod, items: readonly string[], answers: readonly RoundAnswer[]): RoundResult {
  const counted = latestPerHousehold(answers);
  const buildings = new Map<string, RoundAnswer[]>();
  for (const a of counted) {
    const list = buildings.get(a.building);
    if (list) list.push(a);
    else buildings.set(a.building, [a]);
  }
  return {
    method,
    ...tallyGroup(method, items, counted),
    byBuilding: [...buildings.keys()]
      .sort((x, y) => (x === '' ? 1 : y === '' ? -1 : natural.compare(x, y)))
      .map((building) => ({ building, tally: tallyGroup(method, items, buildings.get(building)!) })),
  };
}

/**
 * The pairs one household is asked, in a random but fair order: every pair of items once when
 * there are few (≤ `max`), otherwise `max` pairs drawn so that each item appears about equally
 * often. `random` returns [0, 1) (injectable for tests).
 */
export function pairsToAsk(items: readonly string[], max: number, random: () => number = Math.random): [string, string][] {
  const all: [string, string][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) all.push([items[i]!, items[j]!]);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  if (all.length <= max) return all;
  const seen = new Map<string, number>(items.map((id) => [id, 0]));
  const picked: [string, string][] = [];
  const rest = [...all];
  while (picked.length < max && rest.length) {
    // The pair whose items have been shown least so far (first such in the shuffled order).
    let best = 0;
    let bestLoad = Infinity;
    rest.forEach(([a, b], k) => {
      const load = seen.get(a)! + seen.get(b)!;
      if (load < bestLoad) {
        bestLoad = load;
        best = k;
      }
    });
    const [pair] = rest.splice(best, 1);
    picked.push(pair!);
    seen.set(pair![0], seen.get(pair![0])! + 1);
    seen.set(pair![1], seen.get(pair![1])! + 1);
  }
  return picked;
}
