import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkChoice, checkPollShape, pollCreatePayload, pollWarnings, type CompositionRule, type ElectionThreshold, type Mark, type PollOption } from '../polls.ts';
import { electionNoteText, fewestToMeet, requiredCount, tallyElection } from './index.ts';

type Marks = Record<string, Mark>;
const GROUPS = ['party', 'women'] as const;

/** 8 candidates, party members o1 o3 o5 o7 (by votes 9 7 5 3), the others 8 6 4 2. */
const seedsOptions: PollOption[] = Array.from({ length: 8 }, (_, i) => ({ id: `o${i + 1}`, label: `候选人${i + 1}`, groups: i % 2 === 0 ? ['party'] : [] }));
const seedsVotes = [9, 8, 7, 6, 5, 4, 3, 2];
/** Marks ballots with these yes counts, at most `seats` yes marks each (each yes goes to the emptiest ballot). */
function marksBallots(options: PollOption[], votes: number[], n: number): Marks[] {
  const ballots: Marks[] = Array.from({ length: n }, () => ({}));
  options.forEach((o, i) => {
    const order = ballots.map((b, k) => ({ k, yes: Object.values(b).filter((m) => m === 'yes').length })).sort((a, b) => a.yes - b.yes || a.k - b.k);
    order.forEach(({ k }, j) => (ballots[k]![o.id] = j < votes[i]! ? 'yes' : 'no'));
  });
  return ballots;
}
const twoThirds: CompositionRule[] = [{ group: 'party', atLeastFraction: 2 / 3 }];

describe('the seeds’ election: 5 of 8, at least 2/3 party members', () => {
  const ballots = marksBallots(seedsOptions, seedsVotes, 10);

  it('2/3 of 5 seats rounds up to 4', () => {
    expect(requiredCount({ group: 'party', atLeastFraction: 2 / 3 }, 5)).toBe(4);
    expect(requiredCount({ group: 'party', atLeastFraction: 2 / 3 }, 3)).toBe(2);
    expect(requiredCount({ group: 'party', atLeastFraction: 0.7 }, 10)).toBe(7);
    expect(ballots.every((b) => Object.values(b).filter((m) => m === 'yes').length <= 5)).toBe(true);
  });

  it('plurality: the 4th (not a party member) is passed over for the next party member, 7th', () => {
    const r = tallyElection(ballots, { options: seedsOptions, seats: 5, ballot: 'marks', rules: twoThirds, eligible: 12 });
    expect(r.counts).toEqual({ o1: 9, o2: 8, o3: 7, o4: 6, o5: 5, o6: 4, o7: 3, o8: 2 });
    // The plain top five (o1–o5) hold three party members; the lawful five hold four.
    expect(r.elected).toEqual(['o1', 'o2', 'o3', 'o5', 'o7']);
    expect(r.unfilled).toBe(0);
    expect(r.tie).toEqual([]);
    expect(r.required).toEqual([{ group: 'party', count: 4 }]);
    expect(r.notes).toContainEqual({ code: 'rule', option: 'o4', group: 'party', need: 2, seatsLeft: 1 });
    expect(r.notes).toContainEqual({ code: 'rule', option: 'o6', group: 'party', need: 1, seatsLeft: 0 });
    expect(r.marks!.o4).toEqual({ yes: 6, no: 4, abstain: 0 });
    const text = electionNoteText(r.notes.find((n) => n.code === 'rule')!, 'zh-CN', (id) => seedsOptions.find((o) => o.id === id)!.label);
    expect(text).toBe('候选人4 依次递补时跳过：若当选，剩下 1 个名额不足以再选出 2 名党员。');
  });

  it('majority of ballots cast: three elected, two seats left for a further round needing two party members', () => {
    const r = tallyElection(ballots, { options: seedsOptions, seats: 5, ballot: 'marks', threshold: 'majority-cast', rules: twoThirds, eligible: 12 });
    expect(r.needed).toBe(6);
    expect(r.elected).toEqual(['o1', 'o2', 'o3']);
    expect(r.unfilled).toBe(2);
    expect(r.notes).toContainEqual({ code: 'rule', option: 'o4', group: 'party', need: 2, seatsLeft: 1 });
    expect(r.notes).toContainEqual({ code: 'below-threshold', option: 'o5', votes: 5, needed: 6 });
    expect(r.notes).toContainEqual({ code: 'rule-open', group: 'party', need: 2, seats: 2 });
  });

  it('without rules it is today’s plurality election', () => {
    const picks = ballots.map((b) => Object.keys(b).filter((id) => b[id] === 'yes'));
    const r = tallyElection(picks, { options: seedsOptions, seats: 5, eligible: 12 });
    expect(r.elected).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
    expect(r.unfilled).toBe(0);
    expect(r.notes).toEqual([]);
  });
});

describe('marks ballots and poll:create', () => {
  const poll = { kind: 'election' as const, options: seedsOptions, seats: 2, ballot: 'marks' as const };
  it('checkChoice refuses more yes marks than seats, and anything but marks', () => {
    expect(checkChoice(poll, { o1: 'yes', o2: 'yes', o3: 'no', o4: 'abstain' })).toBeNull();
    expect(checkChoice(poll, { o1: 'yes', o2: 'yes', o3: 'yes' })).toBe('too_many_yes');
    expect(checkChoice(poll, { o9: 'yes' })).toBe('invalid_choice');
    expect(checkChoice(poll, ['o1'])).toBe('invalid_choice');
    expect(checkChoice({ ...poll, ballot: 'plurality' }, { o1: 'yes' })).toBe('invalid_choice');
  });
  it('poll:create: rules that no set of candidates meets are refused; not competitive is a warning', () => {
    const base = { meetingId: 'm', kind: 'election' as const, title: '选举', secret: true, seats: 2 };
    const ok = pollCreatePayload.parse({ ...base, options: [{ label: '甲', groups: ['party'] }, '乙', '丙'], ballot: 'marks', rules: [{ group: 'party', atLeast: 1 }] });
    expect(checkPollShape(ok)).toBeNull();
    expect(checkPollShape({ ...ok, rules: [{ group: 'party', atLeast: 2 }] })).toBe('rules');
    expect(checkPollShape({ ...ok, rules: [{ group: 'party', atLeast: 3 }] })).toBe('rules');
    expect(pollCreatePayload.safeParse({ ...base, options: ['甲', '乙'], rules: [{ group: 'party' }] }).success).toBe(false);
    expect(checkPollShape({ ...ok, kind: 'choice', seats: undefined, rules: undefined })).toBe('ballot');
    expect(pollWarnings(ok)).toEqual([]);
    expect(pollWarnings({ ...ok, options: ['甲', '乙'] })).toEqual(['not-competitive']);
  });
});

/** An election with random groups, satisfiable rules and marks ballots. */
const electionCase = fc
  .record({
    groups: fc.array(fc.subarray([...GROUPS]), { minLength: 2, maxLength: 9 }),
    seatsSeed: fc.nat(),
    rules: fc.array(fc.record({ group: fc.constantFrom(...GROUPS), k: fc.integer({ min: 1, max: 4 }), fraction: fc.boolean() }), { maxLength: 2 }),
    threshold: fc.constantFrom<ElectionThreshold>('plurality', 'majority-cast', 'majority-eligible'),
    marks: fc.array(fc.array(fc.constantFrom<Mark>('yes', 'no', 'abstain', 'no'), { minLength: 9, maxLength: 9 }), { maxLength: 30 }),
  })
  .map(({ groups, seatsSeed, rules, threshold, marks }) => {
    const options: PollOption[] = groups.map((g, i) => ({ id: `o${i + 1}`, label: `${i + 1}`, groups: g }));
    const seats = 1 + (seatsSeed % options.length);
    const ruleList: CompositionRule[] = rules.map((r) => (r.fraction ? { group: r.group, atLeastFraction: r.k / 5 } : { group: r.group, atLeast: Math.min(r.k, seats) }));
    const ballots = marks.map((row) => {
      const b: Marks = {};
      let yes = 0;
      options.forEach((o, i) => {
        const m = row[i]!;
        if (m === 'yes' && ++yes > seats) b[o.id] = 'no';
        else b[o.id] = m;
      });
      return b;
    });
    return { options, seats, rules: ruleList, threshold, ballots, eligible: ballots.length + 2 };
  });

const input = (c: { options: PollOption[]; seats: number; rules: CompositionRule[]; threshold: ElectionThreshold; eligible: number }) => ({
  options: c.options,
  seats: c.seats,
  ballot: 'marks' as const,
  threshold: c.threshold,
  rules: c.rules,
  eligible: c.eligible,
});
const satisfiable = (c: { options: PollOption[]; seats: number; rules: CompositionRule[] }) => {
  const rules = c.rules.map((r) => ({ group: r.group, count: requiredCount(r, c.seats) }));
  return fewestToMeet(rules, rules.map((r) => r.count), c.options.map((o) => o.groups ?? [])) <= c.seats;
};

describe('election properties', () => {
  it('never more elected than seats; elected + unfilled = seats; every elected candidate is above the threshold', () => {
    fc.assert(
      fc.property(electionCase, (c) => {
        const r = tallyElection(c.ballots, input(c));
        expect(r.elected.length).toBeLessThanOrEqual(c.seats);
        expect(new Set(r.elected).size).toBe(r.elected.length);
        expect(r.elected.length + r.unfilled).toBe(c.seats);
        for (const id of r.elected) expect(r.counts[id]).toBeGreaterThanOrEqual(r.needed);
      }),
    );
  });

  it('the elected never break a satisfiable rule: they can always be completed lawfully, and meet it when all seats are filled', () => {
    fc.assert(
      fc.property(
        electionCase.filter((c) => satisfiable(c)),
        (c) => {
          const r = tallyElection(c.ballots, input(c));
          const groupsOf = new Map(c.options.map((o) => [o.id, o.groups ?? []]));
          const needs = r.required.map((q) => q.count - r.elected.filter((id) => groupsOf.get(id)!.includes(q.group)).length);
          const pool = c.options.filter((o) => !r.elected.includes(o.id)).map((o) => o.groups ?? []);
          expect(fewestToMeet(r.required, needs, pool)).toBeLessThanOrEqual(r.unfilled);
          if (r.unfilled === 0) expect(needs.every((n) => n <= 0)).toBe(true);
          expect(r.notes.some((n) => n.code === 'rules-unsatisfiable')).toBe(false);
        },
      ),
    );
  });

  it('adding a yes vote never hurts a candidate', () => {
    fc.assert(
      fc.property(electionCase, fc.nat(), fc.nat(), (c, who, where) => {
        const id = c.options[who % c.options.length]!.id;
        const before = tallyElection(c.ballots, input(c));
        // One more yes for them: on a ballot that had room for it, or on a new ballot.
        const ballots = c.ballots.map((b) => ({ ...b }));
        const room = ballots.filter((b) => b[id] !== 'yes' && Object.values(b).filter((m) => m === 'yes').length < c.seats);
        if (room.length && where % 2 === 0) room[where % room.length]![id] = 'yes';
        else ballots.push({ [id]: 'yes' });
        const after = tallyElection(ballots, input({ ...c, eligible: Math.max(c.eligible, ballots.length) }));
        expect(after.counts[id]).toBe(before.counts[id]! + 1);
        if (before.elected.includes(id)) expect(after.elected).toContain(id);
      }),
    );
  });

  it('the order of the ballots never matters', () => {
    fc.assert(
      fc.property(electionCase, fc.infiniteStream(fc.nat()), (c, seeds) => {
        const shuffled = c.ballots.map((b) => ({ b, k: seeds.next().value })).sort((x, y) => x.k - y.k).map((x) => x.b);
        expect(tallyElection(shuffled, input(c))).toEqual(tallyElection(c.ballots, input(c)));
      }),
    );
  });
});
