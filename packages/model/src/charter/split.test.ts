import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAMPLE_CHARTER_DRAFT, SPLIT_LIMITS, splitClauses, titleFromPreamble } from '../index.ts';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const ink = (s: string) => s.replace(/\s+/g, '');

describe('splitClauses', () => {
  it('splits the sample draft into its six clauses, the title in the preamble', () => {
    const split = splitClauses(SAMPLE_CHARTER_DRAFT);
    expect(split.clauses.map((c) => c.label)).toEqual(['第一条', '第二条', '第三条', '第四条', '第五条', '第六条']);
    expect(split.clauses[2]!.text).toBe('第三条 任何人不得在楼道、消防通道内堆放杂物，不得停放电动自行车或为其充电。');
    expect(titleFromPreamble(split.preamble)).toBe('公共空间管理规约');
  });

  it('recognises traditional 第一條, Markdown headings and keeps 一、 lists inside an article', () => {
    const split = splitClauses('# 規約\n\n## 第一條 總則\n本規約適用於：\n一、樓道；\n二、綠地。\n\n## 第二條 附則\n自通過之日起施行。');
    expect(split.preamble).toBe('規約');
    expect(split.clauses.map((c) => c.label)).toEqual(['第一條', '第二條']);
    expect(split.clauses[0]!.text).toBe('第一條 總則\n本規約適用於：\n一、樓道；\n二、綠地。');
  });

  it('recognises 一、 and Arabic 1. / 1、 numbering, but not 1.5', () => {
    expect(splitClauses('一、甲\n二、乙\n三、丙').clauses.map((c) => c.label)).toEqual(['一、', '二、', '三、']);
    const arabic = splitClauses('1. 车位按号停放。\n1.5 米以内不得堆物。\n2、楼道保持通畅。\n3) 违者劝导。');
    expect(arabic.clauses.map((c) => c.label)).toEqual(['1.', '2、', '3)']);
    expect(arabic.clauses[0]!.text).toBe('1. 车位按号停放。\n1.5 米以内不得堆物。');
  });

  it('takes paragraphs as clauses when nothing is numbered', () => {
    const split = splitClauses('公约\n\n大家爱护绿地。\n\n不在楼道堆物。\n第二行。');
    expect(split.preamble).toBe('公约');
    expect(split.clauses.map((c) => c.text)).toEqual(['大家爱护绿地。', '不在楼道堆物。\n第二行。']);
  });

  it('is total and loses no text (only whitespace and heading marks)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (input) => {
        const split = splitClauses(input);
        const out = [split.preamble, ...split.clauses.map((c) => c.text)].join('');
        const expected = input.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/^\s*#{1,6}\s+/, '')).join('\n');
        expect(ink(out)).toBe(ink(expected));
        expect(split.clauses.every((c) => c.text === c.text.trim() && c.text !== '')).toBe(true);
      }),
    );
  });

  it('finds every numbered article of a generated draft, whatever the clause text', () => {
    const body = fc.stringMatching(/^[\u4e00-\u4e2f，。 a-z]{1,30}$/);
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: NUMERALS.length }), fc.constantFrom('条', '條'), (bodies, tiao) => {
        const draft = bodies.map((b, i) => `第${NUMERALS[i]}${tiao} ${b}`).join('\n');
        const split = splitClauses(draft);
        expect(split.clauses.length).toBe(bodies.length);
        expect(split.clauses.map((c) => c.label)).toEqual(bodies.map((_, i) => `第${NUMERALS[i]}${tiao}`));
      }),
    );
  });

  it('caps the number of clauses, folding the rest into the last', () => {
    const draft = Array.from({ length: SPLIT_LIMITS.clauses + 30 }, (_, i) => `${i + 1}. 条文`).join('\n');
    const split = splitClauses(draft);
    expect(split.clauses.length).toBe(SPLIT_LIMITS.clauses);
    expect(split.clauses.at(-1)!.text.split('\n').length).toBe(31);
  });
});
