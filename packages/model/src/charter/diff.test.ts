import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIFF_MAX_CHARS, diffIsEmpty, wordDiff, type DiffPart } from '../index.ts';

const side = (parts: DiffPart[], drop: DiffPart['kind']) => parts.filter((p) => p.kind !== drop).map((p) => p.text).join('');

describe('wordDiff', () => {
  it('diffs Chinese by word, not by line', () => {
    const parts = wordDiff('任何人不得在楼道内堆放杂物。', '任何人不得在楼道、消防通道内堆放杂物。');
    // ICU may cut 楼道内 differently in the two texts: the change stays within a word or two.
    const added = parts.filter((p) => p.kind === 'added').map((p) => p.text).join('');
    const removed = parts.filter((p) => p.kind === 'removed').map((p) => p.text).join('');
    expect(added).toContain('消防通道');
    expect(removed.length).toBeLessThanOrEqual(3);
    expect(parts[0]!.kind).toBe('same');
    expect(parts.at(-1)).toEqual({ kind: 'same', text: '堆放杂物。' });
  });

  it('marks a changed word as removed and added', () => {
    const parts = wordDiff('开放时间为每日八时至二十一时', '开放时间为每日九时至二十一时');
    expect(parts.some((p) => p.kind === 'removed' && p.text.includes('八'))).toBe(true);
    expect(parts.some((p) => p.kind === 'added' && p.text.includes('九'))).toBe(true);
    expect(side(parts, 'added').length + side(parts, 'removed').length).toBeLessThan(60);
  });

  it('handles Latin words with their spaces', () => {
    const parts = wordDiff('open from 8 to 21', 'open from 9 to 21');
    expect(side(parts, 'added')).toBe('open from 8 to 21');
    expect(side(parts, 'removed')).toBe('open from 9 to 21');
  });

  it('rebuilds both texts for any input', () => {
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[\u4e00-\u4e1f，。 ab]{0,40}$/));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const parts = wordDiff(a, b);
        expect(side(parts, 'added')).toBe(a);
        expect(side(parts, 'removed')).toBe(b);
        expect(diffIsEmpty(parts)).toBe(a === b);
      }),
    );
  });

  it('gives up word by word on huge texts, still exactly', () => {
    const big = '字'.repeat(DIFF_MAX_CHARS + 1);
    expect(wordDiff(big, 'x')).toEqual([
      { kind: 'removed', text: big },
      { kind: 'added', text: 'x' },
    ]);
  });
});
