/**
 * Fractional order keys: strings that sort between any two others, so an agenda item moves by
 * changing one field instead of being deleted and re-inserted (which would lose concurrent edits
 * to its notes). A port of the midpoint step of David Greenspan's "fractional indexing".
 */

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const VALID_KEY = /^[0-9A-Za-z]*[1-9A-Za-z]$/;

/** True for a key this module could have produced (non-empty, base 62, no trailing zero). */
export function isOrderKey(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && VALID_KEY.test(value);
}

function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? '0') === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a ? DIGITS.indexOf(a[0]!) : 0;
  const digitB = b !== null ? DIGITS.indexOf(b[0]!) : DIGITS.length;
  if (digitB - digitA > 1) return DIGITS[Math.round((digitA + digitB) / 2)]!;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return DIGITS[digitA]! + midpoint(a.slice(1), null);
}

/** A key strictly between a and b (null = open end). Throws unless a < b. */
export function keyBetween(a: string | null, b: string | null): string {
  if (a !== null && !isOrderKey(a)) throw new Error(`invalid order key: ${a}`);
  if (b !== null && !isOrderKey(b)) throw new Error(`invalid order key: ${b}`);
  if (a !== null && b !== null && a >= b) throw new Error(`order keys out of order: ${a} >= ${b}`);
  return midpoint(a ?? '', b);
}

/** n keys in ascending order, evenly spread after `after` (for seeding and rebalancing). */
export function keysAfter(after: string | null, n: number): string[] {
  const keys: string[] = [];
  let previous = after;
  for (let i = 0; i < n; i++) {
    previous = keyBetween(previous, null);
    keys.push(previous);
  }
  return keys;
}
