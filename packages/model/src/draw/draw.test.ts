import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDrawShape, computeDraw, keyString, parseSeed, rfc3797Select } from './index.ts';
import { hex, md5 } from './md5.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('md5', () => {
  it('gives RFC 1321 appendix A.5 test suite digests', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [input, digest] of suite) expect(hex(md5(bytes(input))).toLowerCase()).toBe(digest);
  });

  it('agrees with node:crypto on any bytes (every padding length included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
        expect(hex(md5(input)).toLowerCase()).toBe(createHash('md5').update(input).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });
});

// RFC 3797 section 6, "Fully Worked Example": 25 volunteers, 10 selected.
const VOLUNTEERS = [
  'John', 'Mary', 'Bashful', 'Dopey', 'Sleepy', 'Grouchy', 'Doc', 'Sneazy', 'Handsome', 'Cassandra',
  'Pollyanna', 'Pendragon', 'Pandora', 'Faith', 'Hope', 'Charity', 'Lee', 'Longsuffering', 'Chastity', 'Smith',
  'Pride', 'Sloth', 'Envy', 'Anger', 'Kasczynski',
];
// The three sources of the example: a daily number, five lottery numbers (in drawn order), six more.
const RFC_SEED = '9319\n2, 5, 12, 8, 10\n9, 18, 26, 34, 41, 45';
const RFC_KEY = '9319./2.5.8.10.12./9.18.26.34.41.45./';
// The example's digest column (index 1..10) and its selection.
const RFC_DIGESTS = [
  '990DD0A5692A029A98B5E01AA28F3459',
  '3691E55CB63FCC37914430B2F70B5EC6',
  'FE814EDF564C190AC1D25753979990FA',
  '1863CCACEB568C31D7DDBDF1D4E91387',
  'F4AB33DF4889F0AF29C513905BE1D758',
  '13EAEB529F61ACFB9A29D0BA3A60DE4A',
  '992DB77C382CA2BDB9727001F3CDCCD9',
  '63AB4258ECA922976811C7F55C383CE7',
  'DFBC5AC97CED01B3A6E348E3CC63F40D',
  '31CB111C4A4EBE9287CEAE16FE51B909',
];
const RFC_RESULT = ['Lee', 'Doc', 'Mary', 'Charity', 'Kasczynski', 'Envy', 'Sneazy', 'Anger', 'Chastity', 'Pandora'];

describe('RFC 3797', () => {
  it('reproduces the RFC\'s own worked example: key, digests and the ten selected in order', () => {
    const out = computeDraw(VOLUNTEERS, 10, RFC_SEED);
    if (!out.ok) throw new Error(JSON.stringify(out.error));
    expect(out.draw.key).toBe(RFC_KEY);
    expect(out.draw.steps.map((s) => s.digest)).toEqual(RFC_DIGESTS);
    expect(out.draw.steps.map((s) => s.divisor)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    // The first four remainders as the example's table shows them (16, 6, 1, 13).
    expect(out.draw.steps.slice(0, 4).map((s) => s.remainder)).toEqual([16, 6, 1, 13]);
    expect(out.draw.steps.map((s) => s.selected)).toEqual([17, 7, 2, 16, 25, 23, 8, 24, 19, 13]);
    expect(out.draw.result).toEqual(RFC_RESULT);
  });

  it('reproduces the reference program\'s output for the 2012 NomCom (134 volunteers, 12 selected)', () => {
    // Inputs and output of the RFC's reference code as run for the 2012 NomCom.
    const out = computeDraw(
      Array.from({ length: 134 }, (_, i) => String(i + 1)),
      12,
      '17 20 22 35 38 48 36\n90193202\n55598744\n9 10 11 17 21 48 50',
    );
    if (!out.ok) throw new Error('seed');
    expect(out.draw.key).toBe('17.20.22.35.36.38.48./90193202./55598744./9.10.11.17.21.48.50./');
    expect(out.draw.steps[0]!.digest).toBe('CA30D5996DE35BA57B393541328C4159');
    expect(out.draw.steps[11]!.digest).toBe('6168D40CF2EB896E0E13AF709E8998B2');
    expect(out.draw.steps.map((s) => s.selected)).toEqual([90, 25, 92, 126, 24, 31, 122, 96, 81, 132, 2, 41]);
  });

  it('reads the seed as typed: separators, full-width digits, leading zeros', () => {
    expect(parseSeed('9319 / 2 5 12 8 10 ; 9，18、26 34 41 45')).toEqual({
      ok: true,
      sources: [['9319'], ['2', '5', '12', '8', '10'], ['9', '18', '26', '34', '41', '45']],
    });
    expect(parseSeed('０７ 3\n\n 000')).toEqual({ ok: true, sources: [['7', '3'], ['0']] });
    expect(keyString([['7', '3'], ['0']])).toBe('3.7./0./');
    expect(parseSeed('3291.75')).toEqual({ ok: false, error: { kind: 'not_a_number', token: '3291.75' } });
    expect(parseSeed('12 三')).toEqual({ ok: false, error: { kind: 'not_a_number', token: '三' } });
    expect(parseSeed(' / ; ')).toEqual({ ok: false, error: { kind: 'empty' } });
    expect(parseSeed('1'.repeat(19))).toEqual({ ok: false, error: { kind: 'too_large' } });
    expect(parseSeed(Array.from({ length: 17 }, (_, i) => i).join(' '))).toEqual({ ok: false, error: { kind: 'too_large' } });
    expect(parseSeed(Array.from({ length: 17 }, (_, i) => i).join('\n'))).toEqual({ ok: false, error: { kind: 'too_large' } });
  });

  it('sorts numbers by value, not as text', () => {
    expect(keyString([['10', '9', '100', '2']])).toBe('2.9.10.100./');
    expect(keyString([['123456789012345678', '99999999999999999']])).toBe('99999999999999999.123456789012345678./');
  });

  it('refuses duplicate entries and more winners than entries', () => {
    expect(checkDrawShape({ entries: ['一号楼', '二号楼'], winners: 2 })).toBeNull();
    expect(checkDrawShape({ entries: ['一号楼', '二号楼', '一号楼'], winners: 1 })).toEqual({ field: 'entries', duplicate: '一号楼' });
    // The same text in two Unicode forms is the same entry.
    expect(checkDrawShape({ entries: ['Café', 'Cafe\u0301'], winners: 1 })?.field).toBe('entries');
    expect(checkDrawShape({ entries: ['a', 'b'], winners: 3 })).toEqual({ field: 'winners' });
  });
});

const seedText = fc.array(fc.array(fc.nat({ max: 10_000_000 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((groups) => groups.map((g) => g.join(' ')).join('\n'));
const pool = fc.integer({ min: 1, max: 60 }).chain((n) => fc.record({ n: fc.constant(n), k: fc.integer({ min: 1, max: n }) }));

describe('RFC 3797 properties', () => {
  it('draws k distinct positions of the pool', () => {
    fc.assert(
      fc.property(pool, seedText, ({ n, k }, seed) => {
        const entries = Array.from({ length: n }, (_, i) => `第${i + 1}户`);
        const out = computeDraw(entries, k, seed);
        if (!out.ok) throw new Error('seed');
        expect(out.draw.result).toHaveLength(k);
        expect(new Set(out.draw.result).size).toBe(k);
        for (const s of out.draw.steps) expect(s.selected).toBeGreaterThanOrEqual(1);
        for (const s of out.draw.steps) expect(s.selected).toBeLessThanOrEqual(n);
      }),
    );
  });

  it('is deterministic, and drawing more only extends the list', () => {
    fc.assert(
      fc.property(pool, seedText, ({ n, k }, seed) => {
        const key = keyString((parseSeed(seed) as { sources: string[][] }).sources);
        const once = rfc3797Select(key, n, k);
        expect(rfc3797Select(key, n, k)).toEqual(once);
        expect(rfc3797Select(key, n, n).slice(0, k)).toEqual(once);
      }),
    );
  });

  it('depends on the positions only: the labels never change who is picked, the published order does', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 30 }), seedText, (entries, seed) => {
        const k = Math.ceil(entries.length / 2);
        const a = computeDraw(entries, k, seed);
        const renamed = computeDraw(entries.map((_, i) => `#${i}`), k, seed);
        if (!a.ok || !renamed.ok) throw new Error('seed');
        expect(a.draw.steps.map((s) => s.selected)).toEqual(renamed.draw.steps.map((s) => s.selected));
        // Reversed, the list gives the same position to a different entry: the published order is
        // part of the draw, which is why it is frozen before the seed is known.
        const reversed = computeDraw([...entries].reverse(), 1, seed);
        if (!reversed.ok) throw new Error('seed');
        expect(reversed.draw.steps[0]!.selected).toBe(a.draw.steps[0]!.selected);
        expect(reversed.draw.result[0]).toBe(entries[entries.length - a.draw.steps[0]!.selected]);
      }),
    );
  });

  it('the order of numbers within a source does not matter; the order of sources does', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 99 }), { minLength: 2, maxLength: 8 }), (numbers) => {
        const shuffled = [...numbers].reverse();
        expect(keyString([numbers.map(String)])).toBe(keyString([shuffled.map(String)]));
        const a = keyString([numbers.map(String), ['1']]);
        const b = keyString([['1'], numbers.map(String)]);
        expect(a === b).toBe(false);
      }),
    );
  });

  it('every entry can win: each position of a pool is picked first by some seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), (n) => {
        const reached = new Set<number>();
        for (let seed = 0; seed < 2000 && reached.size < n; seed++) reached.add(rfc3797Select(`${seed}./`, n, 1)[0]!.selected);
        expect(reached.size).toBe(n);
      }),
      { numRuns: 11 },
    );
  });
});
