import type { MotionChoice } from '../polls.ts';

/**
 * Owners' straw polls (业主表决摸底) under Civil Code art. 278: two counts at once, by exclusive
 * floor area and by heads (人数). Areas are integers in hundredths of m²; nothing here uses a float.
 */
export const OWNERS_MATTERS = ['ordinary', 'major'] as const;
/** `ordinary`: more than half of both; `major` (art. 278 items 6–8): at least 3/4 of both. */
export type OwnersMatter = (typeof OWNERS_MATTERS)[number];

/**
 * One owners' ballot as stored and counted: the choice with the weight of every unit it covers.
 * `heads` is how many persons (art. 9) those units make; `paper` marks a ballot the secretary entered.
 */
export interface OwnersBallot {
  choice: MotionChoice;
  area: number;
  heads: number;
  paper: boolean;
}

/** One of the two counts: yes / no / abstain, those who took part, and the whole register. */
export interface OwnersCount {
  yes: number;
  no: number;
  abstain: number;
  participating: number;
  total: number;
}

export interface OwnersResult {
  matter: OwnersMatter;
  /** Hundredths of m². */
  area: OwnersCount;
  heads: OwnersCount;
  /** Participation reached 2/3 of the area and 2/3 of the heads (以上: the boundary counts). */
  participationMet: boolean;
  /** Yes reached the matter's threshold on both counts, with participation met. */
  passed: boolean;
  /** Ballots entered on paper by the secretary. */
  paper: number;
  /** Owners' polls have no separate quorum: participation is their quorum. */
  quorumMet: boolean;
}

/** 参与表决: at least two thirds of the total (art. 278(2) "三分之二以上", art. 1259: 以上 includes the number). */
export function participationReached(participating: number, total: number): boolean {
  return total > 0 && 3 * participating >= 2 * total;
}

/**
 * Whether `yes` of the `participating` meets the matter's threshold: ordinary — 过半数, more than
 * half (>); major — 四分之三以上, at least three quarters (≥).
 */
export function ownersThresholdMet(yes: number, participating: number, matter: OwnersMatter): boolean {
  if (participating <= 0) return false;
  return matter === 'major' ? 4 * yes >= 3 * participating : 2 * yes > participating;
}

const emptyCount = (total: number): OwnersCount => ({ yes: 0, no: 0, abstain: 0, participating: 0, total });

/** The double count of an owners' poll from its ballots; order never matters. */
export function tallyOwners(ballots: readonly OwnersBallot[], poll: { matter: OwnersMatter; totalArea: number; totalHeads: number }): OwnersResult {
  const area = emptyCount(poll.totalArea);
  const heads = emptyCount(poll.totalHeads);
  let paper = 0;
  for (const b of ballots) {
    area[b.choice] += b.area;
    area.participating += b.area;
    heads[b.choice] += b.heads;
    heads.participating += b.heads;
    if (b.paper) paper += 1;
  }
  const participationMet = participationReached(area.participating, area.total) && participationReached(heads.participating, heads.total);
  const passed =
    participationMet && ownersThresholdMet(area.yes, area.participating, poll.matter) && ownersThresholdMet(heads.yes, heads.participating, poll.matter);
  return { matter: poll.matter, area, heads, participationMet, passed, paper, quorumMet: participationMet };
}

/**
 * A share as a percentage with two decimals, rounded half up, computed in integers
 * (BigInt: area sums of a large register times 10,000 leave the safe integer range).
 */
export function percentOf(part: number, whole: number): string {
  if (whole <= 0) return '0.00';
  const hundredths = (BigInt(part) * 20000n + BigInt(whole)) / (2n * BigInt(whole));
  const s = hundredths.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/**
 * The person (art. 9) a unit of the register counts as: all of the developer's unsold units are
 * one person; one owner (the same set of names) of several units is one person; a unit without
 * owner names counts alone, under its own `fallback` (its id or its place in the register).
 */
export function headKey(unit: { owners: readonly string[]; developer: boolean }, fallback: string): string {
  if (unit.developer) return 'developer';
  if (unit.owners.length) return `owners:${[...unit.owners].sort().join('\u0000')}`;
  return `unit:${fallback}`;
}
