import { diffArrays } from 'diff';

/**
 * Word-level differences between a clause and an amendment, with the `diff` library (jsdiff's
 * diffArrays over words).
 * Chinese has no spaces between words, so words come from Intl.Segmenter (ICU's dictionary
 * segmentation: 公共空间 / 应当 / 保持 …); where the runtime has no Segmenter, every character is a
 * word. Whitespace between Latin words is kept as its own part.
 */

/** One part of a difference: unchanged, added (only in the amendment) or removed. */
export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Longest texts compared word by word; beyond this the whole text is one change (still exact). */
export const DIFF_MAX_CHARS = 20_000;

let segmenter: Intl.Segmenter | null | undefined;

/** The shared word segmenter, or null where the runtime has none. */
function wordSegmenter(): Intl.Segmenter | null {
  if (segmenter === undefined) {
    segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('zh', { granularity: 'word' }) : null;
  }
  return segmenter;
}

/** Words, spaces and punctuation of a text, in order (they concatenate to the text). */
export function tokens(text: string): string[] {
  const words = wordSegmenter();
  // Without Intl.Segmenter: one "word" per character, so Chinese is still diffed finely.
  if (!words) return Array.from(text);
  return Array.from(words.segment(text), (s) => s.segment);
}

/**
 * The parts that turn `before` into `after`: concatenating the `same` and `removed` parts gives
 * `before`, the `same` and `added` parts give `after`. Total: any two strings work.
 */
export function wordDiff(before: string, after: string): DiffPart[] {
  if (before === after) return before ? [{ kind: 'same', text: before }] : [];
  if (before.length > DIFF_MAX_CHARS || after.length > DIFF_MAX_CHARS) {
    return [
      ...(before ? [{ kind: 'removed' as const, text: before }] : []),
      ...(after ? [{ kind: 'added' as const, text: after }] : []),
    ];
  }
  // jsdiff's diffWords folds whitespace changes; diffing our own tokens keeps both texts exact.
  const changes = diffArrays(tokens(before), tokens(after));
  const parts: DiffPart[] = [];
  for (const change of changes) {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    const text = change.value.join('');
    if (!text) continue;
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += text;
    else parts.push({ kind, text });
  }
  return parts;
}

/** True when a diff changes nothing. */
export function diffIsEmpty(parts: readonly DiffPart[]): boolean {
  return parts.every((p) => p.kind === 'same');
}
