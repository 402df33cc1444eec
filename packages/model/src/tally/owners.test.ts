import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countHeads, totalArea, type UnitRecord } from '../ideas/units.ts';
import { MOTION_CHOICES, type MotionChoice } from '../polls.ts';
import { headKey, ownersThresholdMet, participationReached, percentOf, tallyOwners, type OwnersBallot, type OwnersMatter } from './owners.ts';
import { tally } from './index.ts';

/** DOMAIN.md's worked example, areas in hundredths of m². */
const REGISTER: (UnitRecord & { label: string })[] = [
  { label: '1-101', building: '1', unit: '101', area: 8950, owners: ['张'], developer: false },
  { label: '1-102', building: '1', unit: '102', area: 12025, owners: ['李'], developer: false },
  { label: '1-201', building: '1', unit: '201', area: 8950, owners: ['王'], developer: false },
  { label: '1-202', building: '1', unit: '202', area: 12025, owners: ['王'], developer: false },
  { label: '2-101', building: '2', unit: '101', area: 9500, owners: [], developer: true },
  { label: '2-102', building: '2', unit: '102', area: 9500, owners: [], developer: true },
];

/** One ballot per person (art. 9): the units of one head key together. */
function ballotOf(labels: string[], choice: MotionChoice): OwnersBallot {
  const units = REGISTER.filter((u) => labels.includes(u.label));
  return { choice, area: totalArea(units), heads: countHeads(units), paper: false };
}

describe('headcount rules (SPC interpretation art. 9)', () => {
  it('the worked example: 609.50 m², 4 heads', () => {
    expect(totalArea(REGISTER)).toBe(60950);
    expect(countHeads(REGISTER)).toBe(4);
  });

  it('one unit counts as one person, whatever its co-owners', () => {
    expect(countHeads([{ owners: ['张', '李'], developer: false }])).toBe(1);
    expect(headKey({ owners: ['李', '张'], developer: false }, 'a')).toBe(headKey({ owners: ['张', '李'], developer: false }, 'b'));
  });

  it('one owner of several units counts once; unsold developer units count once in total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), (owned, unsold) => {
        const units = [
          ...Array.from({ length: owned }, () => ({ owners: ['王'], developer: false })),
          ...Array.from({ length: unsold }, () => ({ owners: [], developer: true })),
        ];
        expect(countHeads(units)).toBe(1 + (unsold ? 1 : 0));
      }),
    );
  });

  it('a unit without owner names counts alone', () => {
    expect(countHeads([{ owners: [], developer: false }, { owners: [], developer: false }])).toBe(2);
  });
});

describe('double-majority tally (Civil Code art. 278)', () => {
  const ballots = [ballotOf(['1-101'], 'yes'), ballotOf(['1-102'], 'no'), ballotOf(['1-201', '1-202'], 'yes')];
  const poll = (matter: OwnersMatter) => ({ matter, totalArea: 60950, totalHeads: 4 });

  it('the worked example: participation 419.50 / 609.50 and 3 / 4; yes 299.25 and 2 / 3', () => {
    const r = tallyOwners(ballots, poll('ordinary'));
    expect(r.area).toEqual({ yes: 29925, no: 12025, abstain: 0, participating: 41950, total: 60950 });
    expect(r.heads).toEqual({ yes: 2, no: 1, abstain: 0, participating: 3, total: 4 });
    expect(percentOf(r.area.participating, r.area.total)).toBe('68.83');
    expect(percentOf(r.area.yes, r.area.participating)).toBe('71.33');
    expect(r.participationMet).toBe(true);
    expect(r.passed).toBe(true);
  });

  it('the same ballots fail a major matter: 71.3 % < 3/4 of the area', () => {
    const r = tallyOwners(ballots, poll('major'));
    expect(r.participationMet).toBe(true);
    expect(r.passed).toBe(false);
  });

  it('through tally(): the kind owners counts stored ballots', () => {
    const r = tally({ kind: 'owners', options: [], secret: true, eligible: 3, owners: poll('ordinary') }, ballots);
    expect(r).toMatchObject({ passed: true, ballots: 3, paper: 0 });
  });

  it('boundaries: 以上 includes the number, 过半数 does not', () => {
    expect(participationReached(2, 3)).toBe(true);
    expect(participationReached(1999, 3000)).toBe(false);
    expect(participationReached(0, 0)).toBe(false);
    expect(ownersThresholdMet(1, 2, 'ordinary')).toBe(false);
    expect(ownersThresholdMet(2, 3, 'ordinary')).toBe(true);
    expect(ownersThresholdMet(3, 4, 'major')).toBe(true);
    expect(ownersThresholdMet(74, 100, 'major')).toBe(false);
  });

  const arbitraryBallot = fc.record({
    choice: fc.constantFrom<MotionChoice>(...MOTION_CHOICES),
    area: fc.integer({ min: 0, max: 100_000_000 }),
    heads: fc.integer({ min: 0, max: 3 }),
    paper: fc.boolean(),
  });
  const arbitraryPoll = fc.record({
    matter: fc.constantFrom<OwnersMatter>('ordinary', 'major'),
    extraArea: fc.integer({ min: 0, max: 1_000_000_000 }),
    extraHeads: fc.integer({ min: 0, max: 500 }),
  });
  const totals = (bs: OwnersBallot[], p: { matter: OwnersMatter; extraArea: number; extraHeads: number }) => ({
    matter: p.matter,
    totalArea: bs.reduce((s, b) => s + b.area, 0) + p.extraArea,
    totalHeads: bs.reduce((s, b) => s + b.heads, 0) + p.extraHeads,
  });

  it('the order of ballots never matters', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBallot, { maxLength: 60 }), arbitraryPoll, fc.nat(), (bs, p, seed) => {
        const k = bs.length ? seed % bs.length : 0;
        const shuffled = [...bs.slice(k), ...bs.slice(0, k)].reverse();
        expect(tallyOwners(shuffled, totals(bs, p))).toEqual(tallyOwners(bs, totals(bs, p)));
      }),
    );
  });

  it('moving one ballot from no to yes never makes a passing result fail', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBallot, { minLength: 1, maxLength: 60 }), arbitraryPoll, fc.nat(), (bs, p, pick) => {
        const noes = bs.map((b, i) => (b.choice === 'no' ? i : -1)).filter((i) => i >= 0);
        fc.pre(noes.length > 0);
        const i = noes[pick % noes.length]!;
        const moved = bs.map((b, j) => (j === i ? { ...b, choice: 'yes' as const } : b));
        const before = tallyOwners(bs, totals(bs, p));
        const after = tallyOwners(moved, totals(bs, p));
        if (before.passed) expect(after.passed).toBe(true);
      }),
    );
  });

  it('counts add up: yes + no + abstain = participating, never more than the total', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBallot, { maxLength: 60 }), arbitraryPoll, (bs, p) => {
        const r = tallyOwners(bs, totals(bs, p));
        for (const c of [r.area, r.heads]) {
          expect(c.yes + c.no + c.abstain).toBe(c.participating);
          expect(c.participating).toBeLessThanOrEqual(c.total);
        }
        expect(r.paper).toBe(bs.filter((b) => b.paper).length);
      }),
    );
  });
});

describe('percentOf', () => {
  it('rounds half up in integers, even for areas beyond 2^53 / 10,000', () => {
    expect(percentOf(1, 3)).toBe('33.33');
    expect(percentOf(2, 3)).toBe('66.67');
    expect(percentOf(1, 8)).toBe('12.50');
    expect(percentOf(0, 5)).toBe('0.00');
    expect(percentOf(5, 5)).toBe('100.00');
    expect(percentOf(0, 0)).toBe('0.00');
    expect(percentOf(999_999_999_999, 1_000_000_000_000)).toBe('100.00');
  });
});
