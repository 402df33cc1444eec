import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MOTION_CHOICES, type PollChoice, type PollKind } from '@yishi/model';
import { BallotKeys, openBallot, receiptTag, SealBroken, sealBallot, sealedLength } from './ballotSeal.ts';
import { newReceipt } from './receipts.ts';

const keys = new BallotKeys(Buffer.from('a-test-secret-of-at-least-thirty-two-chars'));
const options = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}` }));

describe('sealed ballots', () => {
  it('open with the poll key only; a changed byte, another poll or another secret breaks the seal', () => {
    const key = keys.key('p1');
    const sealed = sealBallot(key, 'b1', ['o2', 'o5'], 'ABCD2345', 64);
    expect(openBallot(key, 'b1', sealed)).toEqual({ choice: ['o2', 'o5'], receipt: 'ABCD2345' });
    const flipped = Buffer.from(sealed);
    flipped[20]! ^= 1;
    expect(() => openBallot(key, 'b1', flipped)).toThrow(SealBroken);
    expect(() => openBallot(key, 'b2', sealed)).toThrow(SealBroken);
    expect(() => openBallot(keys.key('p2'), 'b1', sealed)).toThrow(SealBroken);
    const other = new BallotKeys(Buffer.from('another-secret-of-at-least-thirty-two-chars'));
    expect(() => openBallot(other.key('p1'), 'b1', sealed)).toThrow(SealBroken);
    expect(other.matches('p1', keys.check('p1'))).toBe(false);
    expect(keys.matches('p1', keys.check('p1'))).toBe(true);
    // Equal choices, unrelated ciphertexts; tags keyed per poll.
    expect(Buffer.from(sealBallot(key, 'b1', 'yes', 'ABCD2345', 64)).equals(Buffer.from(sealBallot(key, 'b1', 'yes', 'ABCD2345', 64)))).toBe(false);
    expect(receiptTag(key, 'ABCD2345')).not.toBe(receiptTag(keys.key('p2'), 'ABCD2345'));
  });

  it('every valid ballot of a poll seals to one length, whatever its choice', () => {
    const poll = fc
      .tuple(fc.constantFrom<PollKind>('motion', 'choice', 'election', 'ranking'), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 12 }))
      .chain(([kind, n, seats]) => {
        const ids = options(n).map((o) => o.id);
        const choice: fc.Arbitrary<PollChoice> =
          kind === 'motion'
            ? fc.constantFrom<string>(...MOTION_CHOICES)
            : kind === 'choice'
              ? fc.constantFrom(...ids)
              : fc.shuffledSubarray(ids, { minLength: kind === 'ranking' ? 1 : 0, maxLength: kind === 'election' ? Math.min(seats, n) : n });
        return fc.tuple(fc.constant({ kind, options: options(n), seats }), fc.array(choice, { minLength: 2, maxLength: 6 }));
      });
    fc.assert(
      fc.property(poll, ([p, choices]) => {
        const length = sealedLength(p);
        const key = keys.key('p');
        const sizes = new Set(choices.map((c, i) => sealBallot(key, `b${i}`, c, newReceipt(), length).length));
        expect(sizes.size).toBe(1);
      }),
    );
  });

  it('marks ballots (赞成 / 反对 / 弃权 per candidate) seal to one length too', () => {
    const poll = fc.tuple(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 10 })).chain(([n, seats]) => {
      const ids = options(n).map((o) => o.id);
      const ballot = fc
        .subarray(ids)
        .chain((marked) => fc.tuple(...marked.map(() => fc.constantFrom<'yes' | 'no' | 'abstain'>('yes', 'no', 'abstain'))).map((marks) => Object.fromEntries(marked.map((id, i) => [id, marks[i]!]))));
      return fc.tuple(fc.constant({ kind: 'election' as const, options: options(n), seats, ballot: 'marks' }), fc.array(ballot, { minLength: 2, maxLength: 6 }));
    });
    fc.assert(
      fc.property(poll, ([p, choices]) => {
        const length = sealedLength(p);
        const key = keys.key('p');
        const sizes = new Set(choices.map((c, i) => sealBallot(key, `b${i}`, c as PollChoice, newReceipt(), length).length));
        expect(sizes.size).toBe(1);
      }),
    );
  });
});
