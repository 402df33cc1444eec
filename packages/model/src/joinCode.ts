/**
 * Join codes: 9 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
 * 31^9 ≈ 2^44.6 — unguessable within any throttled number of attempts.
 */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 9;

/** Uppercases and strips separators/spaces a person may type; returns null if it cannot be a code. */
export function normalizeJoinCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s\-_.]/g, '');
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** Groups a code for reading aloud and display: "ABC-DEF-GHJ". */
export function formatJoinCode(code: string): string {
  return code.match(/.{1,3}/g)?.join('-') ?? code;
}
