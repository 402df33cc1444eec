import { randomInt } from 'node:crypto';
import { CODE_ALPHABET } from '@yishi/model';

/** A random code of `length` characters from the alphabet without look-alikes. */
export function newCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** True when a database error is a unique violation (a code drawn twice: draw again). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
