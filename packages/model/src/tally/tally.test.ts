import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkChoice, MOTION_CHOICES, type MotionChoice, type PollOption } from '../polls.ts';
import { motionRulePassed, quorumMet, standings, tally, tallyChoice, tallyElection, tallyMotion, tallyRanking, unanimousSmallGroup } from './index.ts';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const opts = (n: number): PollOption[] => Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, label: `候選人${i + 1}` }));

const motionBallots = fc.array(fc.constantFrom<MotionChoice>(...MOTION_CHOICES), { maxLength: 300 });

describe('motion', () => {
  it('counts add up to the ballots', () => {
    fc.assert(
      fc.property(motionBallots, fc.constantFrom('majority', 'two-thirds-cast', 'two-thirds-eligible' as const), (ballots, rule) => {
        const r = tallyMotion(ballots, { rule, eligible: ballots.length + 3 });
        expect(r.counts.yes + r.counts.no + r.counts.abstain).toBe(ballots.length);
        expect(r.counts.yes).toBe(ballots.filter((b) => b === 'yes').length);
      }),
    );
  });

  it('majority: passes exactly when yes > no', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(200), fc.nat(200), (yes, no, abstain) => {
        expect(motionRulePassed({ yes, no, abstain }, 'majority', 1000)).toBe(yes > no);
      }),
    );
  });

  it('two-thirds of votes cast: the boundary is exactly 2/3, abstentions included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), (cast) => {
        // The smallest yes with yes/cast ≥ 2/3, found without floats.
        const least = Math.ceil((2 * cast) / 3);
        const split = (yes: number) => ({ yes, no: Math.floor((cast - yes) / 2), abstain: cast - yes - Math.floor((cast - yes) / 2) });
        expect(motionRulePassed(split(least), 'two-thirds-cast', 0)).toBe(true);
        if (least - 1 >= 0) expect(motionRulePassed(split(least - 1), 'two-thirds-cast', 0)).toBe(false);
      }),
    );
    expect(motionRulePassed({ yes: 2, no: 1, abstain: 0 }, 'two-thirds-cast', 0)).toBe(true);
    expect(motionRulePassed({ yes: 2, no: 0, abstain: 1 }, 'two-thirds-cast', 0)).toBe(true);
    expect(motionRulePassed({ yes: 6, no: 3, abstain: 1 }, 'two-thirds-cast', 0)).toBe(false);
    expect(motionRulePassed({ yes: 666, no: 334, abstain: 0 }, 'two-thirds-cast', 0)).toBe(false);
    expect(motionRulePassed({ yes: 667, no: 333, abstain: 0 }, 'two-thirds-cast', 0)).toBe(true);
  });

  it('two-thirds of eligible: 3·yes ≥ 2·eligible, whoever did not vote counts against', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(3000), (eligible, yesRaw) => {
        const yes = Math.min(yesRaw, eligible);
        expect(motionRulePassed({ yes, no: 0, abstain: 0 }, 'two-thirds-eligible', eligible)).toBe(yes > 0 && 3 * yes >= 2 * eligible);
      }),
    );
    expect(motionRulePassed({ yes: 4, no: 0, abstain: 0 }, 'two-thirds-eligible', 6)).toBe(true);
    expect(motionRulePassed({ yes: 3, no: 0, abstain: 0 }, 'two-thirds-eligible', 5)).toBe(false);
  });

  it('nothing passes without a yes, and nothing passes without quorum', () => {
    fc.assert(
      fc.property(motionBallots, fc.double({ min: 0, max: 1, noNaN: true }), (ballots, quorum) => {
        const eligible = ballots.length + 5;
        const r = tallyMotion(ballots, { rule: 'majority', quorum, eligible });
        if (r.counts.yes === 0) expect(r.passed).toBe(false);
        if (!r.quorumMet) expect(r.passed).toBe(false);
        expect(r.quorumMet).toBe(ballots.length * 10_000 >= Math.round(quorum * 10_000) * eligible);
      }),
    );
  });

  it('quorum is exact at shares that floats get wrong', () => {
    expect(quorumMet(3, 10, 0.3)).toBe(true); // 0.3 * 10 is 3.0000000000000004 in floats
    expect(quorumMet(2, 10, 0.3)).toBe(false);
    expect(quorumMet(7, 10, 0.7)).toBe(true);
    expect(quorumMet(0, 10, 0)).toBe(true);
    expect(quorumMet(10, 10, 1)).toBe(true);
    expect(quorumMet(9, 10, 1)).toBe(false);
    expect(quorumMet(1, 2, undefined)).toBe(true);
  });
});

const electionCase = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    seats: fc.integer({ min: 1, max: n }),
    ballots: fc.array(fc.subarray(opts(n).map((o) => o.id)), { maxLength: 80 }),
  }),
);

describe('election', () => {
  it('counts add up; winners beat every loser; ties at the cut are flagged, never broken', () => {
    fc.assert(
      fc.property(electionCase, ({ n, seats, ballots }) => {
        const capped = ballots.map((b) => b.slice(0, seats));
        const r = tallyElection(capped, { options: opts(n), seats, eligible: 100 });
        expect(sum(r.counts)).toBe(capped.reduce((a, b) => a + b.length, 0));
        expect(r.elected.length).toBeLessThanOrEqual(seats);
        const losers = Object.keys(r.counts).filter((id) => !r.elected.includes(id) && !r.tie.includes(id));
        for (const w of r.elected) {
          expect(r.counts[w]).toBeGreaterThan(0);
          for (const l of losers) expect(r.counts[w]).toBeGreaterThan(r.counts[l]!);
          for (const t of r.tie) expect(r.counts[w]).toBeGreaterThan(r.counts[t]!);
        }
        if (r.tie.length) {
          // The tied all share one count, more of them than the seats left, and beat the rest.
          const c = r.counts[r.tie[0]!]!;
          expect(r.tie.every((t) => r.counts[t] === c)).toBe(true);
          expect(r.tie.length).toBeGreaterThan(seats - r.elected.length);
          for (const l of losers) expect(c).toBeGreaterThan(r.counts[l]!);
        } else {
          // Without a tie, every seat is filled unless too few candidates got any vote.
          const voted = Object.values(r.counts).filter((v) => v > 0).length;
          expect(r.elected.length).toBe(Math.min(seats, voted));
        }
      }),
    );
  });

  it('5 of 8 with a tie at the cut', () => {
    const ballots = [
      ['o1', 'o2', 'o3', 'o4', 'o5'],
      ['o1', 'o2', 'o3', 'o4', 'o6'],
      ['o1', 'o2', 'o3', 'o5', 'o6'],
    ];
    const r = tallyElection(ballots, { options: opts(8), seats: 5, eligible: 6 });
    expect(r.counts).toEqual({ o1: 3, o2: 3, o3: 3, o4: 2, o5: 2, o6: 2, o7: 0, o8: 0 });
    expect(r.elected).toEqual(['o1', 'o2', 'o3']);
    expect(r.tie).toEqual(['o4', 'o5', 'o6']);
  });
});

describe('choice', () => {
  it('counts add up to ballots and match each option', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 200 }))), ([n, picks]) => {
        const r = tallyChoice(picks.map((i) => `o${i}`), { options: opts(n), eligible: 500 });
        expect(sum(r.counts)).toBe(picks.length);
        for (let i = 1; i <= n; i++) expect(r.counts[`o${i}`]).toBe(picks.filter((p) => p === i).length);
      }),
    );
  });
});

const rankingCase = fc.integer({ min: 2, max: 21 }).chain((n) =>
  fc.record({ n: fc.constant(n), ballots: fc.array(fc.shuffledSubarray(opts(n).map((o) => o.id), { minLength: 1 }), { maxLength: 60 }) }),
);

describe('ranking (Borda)', () => {
  it('scores sum to the points handed out; order is by score', () => {
    fc.assert(
      fc.property(rankingCase, ({ n, ballots }) => {
        const r = tallyRanking(ballots, { options: opts(n), eligible: 100 });
        const handedOut = ballots.reduce((a, b) => a + b.reduce((s, _, k) => s + (n - 1 - k), 0), 0);
        expect(sum(r.scores)).toBe(handedOut);
        expect([...r.order].sort()).toEqual(opts(n).map((o) => o.id).sort());
        for (let i = 1; i < r.order.length; i++) expect(r.scores[r.order[i - 1]!]!).toBeGreaterThanOrEqual(r.scores[r.order[i]!]!);
      }),
    );
  });

  it('an option everyone ranks first comes first', () => {
    fc.assert(
      fc.property(rankingCase, ({ n, ballots }) => {
        const full = ballots.map((b) => ['o1', ...b.filter((id) => id !== 'o1')]);
        if (!full.length) return;
        const r = tallyRanking(full, { options: opts(n), eligible: 100 });
        expect(r.order[0]).toBe('o1');
      }),
    );
  });

  it('three voters, three projects', () => {
    const r = tallyRanking([['o1', 'o2', 'o3'], ['o2', 'o1', 'o3'], ['o2', 'o3', 'o1']], { options: opts(3), eligible: 3 });
    expect(r.scores).toEqual({ o1: 3, o2: 5, o3: 1 });
    expect(r.order).toEqual(['o2', 'o1', 'o3']);
    expect(r.tie).toEqual([]);
  });

  it('marks options with equal scores as tied groups', () => {
    const r = tallyRanking([['o1', 'o2', 'o3', 'o4'], ['o1', 'o3', 'o2', 'o4']], { options: opts(4), eligible: 2 });
    expect(r.scores).toEqual({ o1: 6, o2: 3, o3: 3, o4: 0 });
    expect(r.tie).toEqual([['o2', 'o3']]);
  });
});

describe('standings: ties are marked, never ordered silently', () => {
  it('the seeds’ case: 宠物粪便 and 高空抛物 on 3 points share 3rd place', () => {
    const r = standings(['停车', '宠物粪便', '高空抛物', '绿化'], { 停车: 7, 宠物粪便: 3, 高空抛物: 3, 绿化: 5 });
    expect(r).toEqual([
      { id: '停车', value: 7, place: 1, tied: false },
      { id: '绿化', value: 5, place: 2, tied: false },
      { id: '宠物粪便', value: 3, place: 3, tied: true },
      { id: '高空抛物', value: 3, place: 3, tied: true },
    ]);
  });

  it('places are competition ranks: one more than the number of strictly higher values; tied iff a value repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(6), { minLength: 1, maxLength: 30 }), (values) => {
        const ids = values.map((_, i) => `o${i}`);
        const byId = Object.fromEntries(ids.map((id, i) => [id, values[i]!]));
        const r = standings(ids, byId);
        expect(r.map((s) => s.id).sort()).toEqual([...ids].sort());
        for (const s of r) {
          expect(s.place).toBe(1 + values.filter((v) => v > s.value).length);
          expect(s.tied).toBe(values.filter((v) => v === s.value).length > 1);
        }
        for (let i = 1; i < r.length; i++) expect(r[i - 1]!.value).toBeGreaterThanOrEqual(r[i]!.value);
      }),
    );
  });
});

describe('checkChoice and the small-group flags', () => {
  const election = { kind: 'election' as const, options: opts(8), seats: 5 };
  it('refuses unknown options, too many candidates, duplicates and malformed rankings', () => {
    expect(checkChoice(election, ['o1', 'o2'])).toBeNull();
    expect(checkChoice(election, [])).toBeNull();
    expect(checkChoice(election, ['o1', 'o9'])).toBe('invalid_choice');
    expect(checkChoice(election, ['o1', 'o1'])).toBe('invalid_choice');
    expect(checkChoice(election, ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'])).toBe('too_many_choices');
    expect(checkChoice(election, 'o1')).toBe('invalid_choice');
    expect(checkChoice({ kind: 'motion', options: [] }, 'yes')).toBeNull();
    expect(checkChoice({ kind: 'motion', options: [] }, 'maybe')).toBe('invalid_choice');
    expect(checkChoice({ kind: 'choice', options: opts(3) }, 'o3')).toBeNull();
    expect(checkChoice({ kind: 'choice', options: opts(3) }, ['o3'])).toBe('invalid_choice');
    expect(checkChoice({ kind: 'ranking', options: opts(3) }, ['o3', 'o1'])).toBeNull();
    expect(checkChoice({ kind: 'ranking', options: opts(3) }, [])).toBe('invalid_choice');
    expect(checkChoice({ kind: 'ranking', options: opts(3) }, ['o3', 'o3'])).toBe('invalid_choice');
  });

  it('flags a unanimous small secret group, and only that', () => {
    expect(unanimousSmallGroup('motion', true, ['yes', 'yes', 'yes'])).toBe(true);
    expect(unanimousSmallGroup('motion', false, ['yes', 'yes', 'yes'])).toBe(false);
    expect(unanimousSmallGroup('motion', true, ['yes', 'no'])).toBe(false);
    expect(unanimousSmallGroup('motion', true, Array(6).fill('yes'))).toBe(false);
    expect(unanimousSmallGroup('election', true, [['o1', 'o2'], ['o2', 'o1']])).toBe(true);
    expect(unanimousSmallGroup('ranking', true, [['o1', 'o2'], ['o2', 'o1']])).toBe(false);
    expect(unanimousSmallGroup('motion', true, [])).toBe(false);
  });

  it('tally dispatches by kind and reports ballots and eligible', () => {
    const r = tally({ kind: 'motion', options: [], rule: 'two-thirds-cast', secret: true, eligible: 6 }, ['yes', 'yes', 'no']);
    expect(r).toMatchObject({ counts: { yes: 2, no: 1, abstain: 0 }, passed: true, ballots: 3, eligible: 6, unanimousSmallGroup: false });
  });
});
