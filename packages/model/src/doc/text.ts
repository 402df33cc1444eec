import type * as Y from 'yjs';

/** One contiguous replacement turning one string into another. */
export interface TextChange {
  index: number;
  remove: number;
  insert: string;
}

/** A Y.Text event delta (what `event.delta` holds). */
export type TextDelta = { insert?: unknown; delete?: number; retain?: number }[];

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The smallest single replacement turning `before` into `after` (common prefix and suffix kept),
 * or null when they are equal. Never splits a surrogate pair, so emoji survive a diff.
 */
export function diffText(before: string, after: string): TextChange | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start--;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  )
    end++;
  if (end > 0 && isLow(before.charCodeAt(before.length - end))) end--;
  return {
    index: start,
    remove: before.length - start - end,
    insert: after.slice(start, after.length - end),
  };
}

/**
 * Where `index` lands after a delta was applied. `stickRight` decides which side of an insert
 * exactly at `index` it ends up on (true: after it).
 */
export function transformIndex(index: number, delta: TextDelta, stickRight = false): number {
  let at = 0; // position in the text before the delta
  let shift = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      at += op.retain;
      if (at > index) break;
    } else if (op.insert !== undefined) {
      if (at > index || (at === index && !stickRight)) break;
      shift += typeof op.insert === 'string' ? op.insert.length : 1;
    } else if (op.delete !== undefined) {
      if (at >= index) break;
      shift -= Math.min(op.delete, index - at);
      at += op.delete;
    }
  }
  return index + shift;
}

/**
 * Applies the edit a user made (from `base`, the text they saw, to `next`) to a Y.Text that may
 * have changed since by `remote` deltas: the edit's range is moved through those changes, so
 * neither side's characters are lost. Returns the caret position after the edit in the new text.
 */
export function applyTextEdit(
  text: Y.Text,
  base: string,
  next: string,
  remote: readonly TextDelta[] = [],
  origin?: unknown,
): number | null {
  const change = diffText(base, next);
  if (!change) return null;
  let start = change.index;
  let end = change.index + change.remove;
  for (const delta of remote) {
    start = transformIndex(start, delta, true);
    end = Math.max(start, transformIndex(end, delta, false));
  }
  const doc = text.doc;
  const write = () => {
    if (end > start) text.delete(start, end - start);
    if (change.insert) text.insert(start, change.insert);
  };
  if (doc) doc.transact(write, origin);
  else write();
  return start + change.insert.length;
}
