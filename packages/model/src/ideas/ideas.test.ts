import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../followups.ts';
import {
  checkUnits,
  countHeads,
  formatArea,
  householdKey,
  latestPerHousehold,
  pairsToAsk,
  pairwiseScore,
  parseArea,
  parseCsv,
  tallyRound,
  themeStatus,
  totalArea,
  unitsFromCsv,
  decodeCsv,
  type RoundAnswer,
} from './index.ts';

const ITEMS = ['pets', 'parking', 'stairs', 'lights', 'gym'];

/** Answers of up to 40 households (some answering several times), Borda rankings of the items. */
const bordaAnswers = fc
  .array(
    fc.record({
      household: fc.integer({ min: 0, max: 39 }).map((h) => `h${h}`),
      building: fc.constantFrom('1', '2', '10', ''),
      source: fc.constantFrom('online' as const, 'paper' as const),
      ranking: fc.shuffledSubarray(ITEMS),
    }),
    { maxLength: 120 },
  )
  .map((list): RoundAnswer[] => list.map((a, seq) => ({ ...a, seq })));

const pairwiseAnswers = fc
  .array(
    fc.record({
      household: fc.integer({ min: 0, max: 39 }).map((h) => `h${h}`),
      building: fc.constantFrom('1', '2'),
      source: fc.constant('online' as const),
      pairs: fc.array(
        fc.tuple(fc.constantFrom(...ITEMS), fc.constantFrom(...ITEMS), fc.integer({ min: 0, max: 2 })).filter(([a, b]) => a !== b).map(([a, b, w]) => ({ a, b, winner: w === 0 ? a : w === 1 ? b : null })),
        { maxLength: 10 },
      ),
    }),
    { maxLength: 80 },
  )
  .map((list): RoundAnswer[] => list.map((a, seq) => ({ ...a, seq })));

describe('ranking rounds: every household counts once', () => {
  it('keeps exactly the latest answer of each household', () => {
    fc.assert(
      fc.property(bordaAnswers, (answers) => {
        const latest = latestPerHousehold(answers);
        expect(latest.length).toBe(new Set(answers.map((a) => a.household)).size);
        for (const kept of latest) {
          const own = answers.filter((a) => a.household === kept.household);
          expect(kept.seq).toBe(Math.max(...own.map((a) => a.seq)));
        }
      }),
    );
  });

  it('Borda: total points are what the counted rankings give, and buildings add up to the whole', () => {
    fc.assert(
      fc.property(bordaAnswers, (answers) => {
        const result = tallyRound('borda', ITEMS, answers);
        const n = ITEMS.length;
        const expected = latestPerHousehold(answers).reduce((sum, a) => sum + a.ranking!.reduce((s, _id, k) => s + (n - 1 - k), 0), 0);
        expect(Object.values(result.scores).reduce((x, y) => x + y, 0)).toBe(expected);
        expect(result.byBuilding.reduce((s, b) => s + b.tally.households, 0)).toBe(result.households);
        expect(result.online + result.paper).toBe(result.households);
        for (const id of ITEMS) expect(result.byBuilding.reduce((s, b) => s + b.tally.scores[id]!, 0)).toBe(result.scores[id]);
        // The order is by score, and ties list exactly the equal scores.
        for (let i = 1; i < result.order.length; i++) expect(result.scores[result.order[i - 1]!]!).toBeGreaterThanOrEqual(result.scores[result.order[i]!]!);
        for (const group of result.tie) expect(new Set(group.map((id) => result.scores[id])).size).toBe(1);
      }),
    );
  });

  it('a household answering again replaces its answer; an older copy arriving late changes nothing', () => {
    fc.assert(
      fc.property(bordaAnswers, fc.shuffledSubarray(ITEMS), (answers, ranking) => {
        const base = tallyRound('borda', ITEMS, answers);
        if (!answers.length) return;
        const first = answers[0]!;
        // A stale duplicate (lower sequence than anything) of an existing household:
        const stale = [...answers, { ...first, ranking, seq: -1 }];
        expect(tallyRound('borda', ITEMS, stale)).toEqual(base);
        // A fresh answer of the same household counts instead of its earlier ones:
        const fresh = [...answers, { ...first, ranking, seq: answers.length }];
        const again = tallyRound('borda', ITEMS, fresh);
        expect(again.households).toBe(base.households);
        const alone = tallyRound('borda', ITEMS, [...answers.filter((a) => a.household !== first.household), { ...first, ranking, seq: answers.length }]);
        expect(again.scores).toEqual(alone.scores);
      }),
    );
  });

  it('the order answers arrive in does not matter', () => {
    fc.assert(
      fc.property(bordaAnswers.chain((a) => fc.tuple(fc.constant(a), fc.shuffledSubarray(a, { minLength: a.length }))), ([answers, shuffled]) => {
        expect(tallyRound('borda', ITEMS, shuffled)).toEqual(tallyRound('borda', ITEMS, answers));
      }),
    );
  });

  it('pairwise: wins and losses balance, scores are the documented estimate within (0, 100)', () => {
    fc.assert(
      fc.property(pairwiseAnswers, (answers) => {
        const result = tallyRound('pairwise', ITEMS, answers);
        const decided = latestPerHousehold(answers).flatMap((a) => a.pairs!).filter((p) => p.winner !== null).length;
        const wins = Object.values(result.wins!).reduce((x, y) => x + y, 0);
        const losses = Object.values(result.losses!).reduce((x, y) => x + y, 0);
        expect(wins).toBe(decided);
        expect(losses).toBe(decided);
        for (const id of ITEMS) {
          expect(result.scores[id]).toBe(pairwiseScore(result.wins![id]!, result.losses![id]!));
          expect(result.scores[id]).toBeGreaterThan(0);
          expect(result.scores[id]).toBeLessThan(100);
        }
      }),
    );
  });

  it('pairwise score: more wins never lower it, an unseen item scores 50', () => {
    expect(pairwiseScore(0, 0)).toBe(50);
    expect(pairwiseScore(2, 0)).toBe(75);
    expect(pairwiseScore(40, 10)).toBeGreaterThan(pairwiseScore(2, 0));
    fc.assert(fc.property(fc.nat(1000), fc.nat(1000), (w, l) => {
      expect(pairwiseScore(w + 1, l)).toBeGreaterThanOrEqual(pairwiseScore(w, l));
    }));
  });

  it('pairs to ask: distinct pairs of two items, as many as asked, every item shown about equally', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 21 }), fc.integer({ min: 1, max: 30 }), (n, max) => {
        const items = Array.from({ length: n }, (_, i) => `p${i}`);
        const pairs = pairsToAsk(items, max);
        expect(pairs.length).toBe(Math.min(max, (n * (n - 1)) / 2));
        expect(new Set(pairs.map(([a, b]) => [a, b].sort().join()))).toHaveProperty('size', pairs.length);
        for (const [a, b] of pairs) expect(a).not.toBe(b);
        if (pairs.length < (n * (n - 1)) / 2) {
          const load = items.map((id) => pairs.filter((p) => p.includes(id)).length);
          expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(2);
        }
      }),
    );
  });
});

describe('households', () => {
  it('one household however its address is written', () => {
    expect(householdKey('3号楼', '1201室')).toBe('3|1201');
    expect(householdKey('３栋', '1201')).toBe('3|1201');
    expect(householdKey(' 3 幢 ', '1201 号')).toBe('3|1201');
    expect(householdKey('3', '2单元1201')).toBe('3|2单元1201');
    expect(householdKey('3号楼', '1202')).not.toBe(householdKey('3号楼', '1201'));
    expect(householdKey('号楼', '1201')).toBeNull();
  });
});

describe('unit register', () => {
  it('areas are exact hundredths: parse and format round-trip, three decimals refused', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000_000 }), (h) => {
      expect(parseArea(formatArea(h))).toBe(h);
    }));
    expect(parseArea('89.5')).toBe(8950);
    expect(parseArea('120.25')).toBe(12025);
    for (const bad of ['89.505', '-1', '1e3', '', '８９', 'abc', '1.', '.5']) expect(parseArea(bad)).toBeNull();
  });

  it('the worked example of DOMAIN.md: total area 609.50, heads 4', () => {
    const check = checkUnits([
      { building: '1', unit: '101', area: '89.50', owners: ['张'] },
      { building: '1', unit: '102', area: '120.25', owners: ['李'] },
      { building: '1', unit: '201', area: '89.50', owners: ['王'] },
      { building: '1', unit: '202', area: '120.25', owners: ['王'] },
      { building: '2', unit: '101', area: '95.00', developer: true },
      { building: '2', unit: '102', area: '95', developer: true },
    ]);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(totalArea(check.units)).toBe(60950);
    expect(countHeads(check.units)).toBe(4);
  });

  it('names every bad row: bad area, missing unit, a unit twice', () => {
    const check = checkUnits([
      { building: '1', unit: '101', area: '89.505' },
      { building: '1', unit: '' },
      { building: '1', unit: '102' },
      { building: '1号楼', unit: '102室' },
      'not an object',
    ]);
    expect(check).toEqual({
      ok: false,
      bad: [
        { row: 1, field: 'area', reason: 'not_a_decimal' },
        { row: 2, field: 'unit', reason: 'missing' },
        { row: 4, field: 'unit', reason: 'duplicate' },
        { row: 5, field: 'row', reason: 'missing' },
      ],
    });
  });

  it('reads a CSV with a Chinese header, owners split on 、, a developer flag', () => {
    const csv = '\uFEFF楼栋,房号,面积,业主,开发商\r\n1,101,89.50,张三、李四,\r\n2,101,95.00,,是\r\n';
    const read = unitsFromCsv(csv);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.firstLine).toBe(2);
    expect(read.rows).toEqual([
      { building: '1', unit: '101', area: '89.50', owners: ['张三', '李四'], developer: false },
      { building: '2', unit: '101', area: '95.00', owners: [], developer: true },
    ]);
  });
});

describe('CSV files in the encodings spreadsheets save', () => {
  it('reads UTF-8 (with or without BOM), UTF-16 with a BOM and GBK (Excel on a Chinese Windows) alike', () => {
    const text = '楼栋,房号,面积,业主\r\n3号楼,1201,89.50,王阿姨\r\n';
    // GBK bytes of the same text (a GBK encoder is not in the platform; these are from Python's 'gbk' codec).
    const gbk = Uint8Array.from(Buffer.from('c2a5b6b02cb7bfbac52cc3e6bbfd2cd2b5d6f70d0a33bac5c2a52c313230312c38392e35302ccdf5b0a2d2cc0d0a', 'hex'));
    const utf16 = Uint8Array.from(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    for (const bytes of [new TextEncoder().encode(text), new TextEncoder().encode('\uFEFF' + text), utf16, gbk]) {
      const read = unitsFromCsv(decodeCsv(bytes));
      expect(read).toMatchObject({ ok: true, rows: [{ building: '3号楼', unit: '1201', area: '89.50', owners: ['王阿姨'] }] });
    }
  });
});

describe('register CSV without units', () => {
  it('an empty file, blank lines or a header alone is refused, never an empty register', () => {
    for (const [csv, row] of [['', 1], ['\uFEFF\r\n\r\n', 1], ['楼栋,房号,面积,业主\r\n', 2], [',,,\n', 1]] as const)
      expect(unitsFromCsv(csv), JSON.stringify(csv)).toEqual({ ok: false, bad: [{ row, field: 'row', reason: 'missing' }] });
  });
});

describe('CSV', () => {
  const cell = fc.string({ maxLength: 12 }).map((s) => s.trim()).filter((s) => !/^[=+\-@]/.test(s));
  it('reads back what a spreadsheet writes', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 20 }), (rows) => {
        const text = rows.map((r) => r.map(csvCell).join(',')).join('\r\n');
        const parsed = parseCsv(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.rows).toEqual(rows.filter((r) => r.some((c) => c !== '')).map((r) => r.map((c) => c.trim())));
      }),
    );
  });

  it('is total: any text answers rows or a refusal, within its caps', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const parsed = parseCsv(text, { rows: 5, cells: 4, cellChars: 50 });
        if (parsed.ok) expect(parsed.rows.length).toBeLessThanOrEqual(5);
      }),
    );
    expect(parseCsv('"never closed'.padEnd(5000, 'x'), { rows: 5, cells: 4, cellChars: 50 })).toMatchObject({ ok: false, reason: 'cell_too_long' });
  });
});

describe('theme status', () => {
  it('collected → discussed → in progress → done; dropped follow-ups do not count', () => {
    expect(themeStatus(false, [])).toBe('collected');
    expect(themeStatus(true, [])).toBe('discussed');
    expect(themeStatus(true, ['open'])).toBe('in-progress');
    expect(themeStatus(true, ['done', 'in-progress'])).toBe('in-progress');
    expect(themeStatus(true, ['done', 'dropped'])).toBe('done');
    expect(themeStatus(true, ['dropped'])).toBe('discussed');
  });
});
