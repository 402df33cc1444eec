import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { RECEIPT_ALPHABET, RECEIPT_LENGTH } from '@yishi/model';

/** A fresh receipt code: 8 characters from 31 without look-alikes (≈ 39.6 bits). */
export function newReceipt(): string {
  let code = '';
  for (let i = 0; i < RECEIPT_LENGTH; i++) code += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return code;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

// The keys need the raw session token, which only the voter's device holds; the database keeps only its SHA-256.
function voteKey(sessionToken: string, pollId: string, purpose: 'seal' | 'choice'): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionToken, pollId, `yishi/vote/${purpose}/v1`, 32));
}

// Tells a retry (same choice) from a second vote (another choice) without storing the choice.
function choiceDigest(sessionToken: string, pollId: string, choiceKey: string): string {
  return createHmac('sha256', voteKey(sessionToken, pollId, 'choice')).update(choiceKey).digest('base64url');
}

/**
 * Seals the voter's receipt and a keyed digest of their choice so that only the same session can
 * read them back (AES-256-GCM, bound to poll and voter). Erased when the poll closes.
 */
export function sealVote(sessionToken: string, pollId: string, userId: string, receipt: string, choiceKey: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', voteKey(sessionToken, pollId, 'seal'), iv);
  cipher.setAAD(Buffer.from(`${pollId}\0${userId}`));
  const plain = `${receipt} ${choiceDigest(sessionToken, pollId, choiceKey)}`;
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** What this session sealed: the receipt and whether `choiceKey` is the choice it sealed; null for another session. */
export function openVote(
  sessionToken: string,
  pollId: string,
  userId: string,
  sealed: Uint8Array | null,
  choiceKey: string,
): { receipt: string; sameChoice: boolean } | null {
  if (!sealed || sealed.length <= IV_BYTES + TAG_BYTES) return null;
  const buf = Buffer.from(sealed);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', voteKey(sessionToken, pollId, 'seal'), buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${pollId}\0${userId}`));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    plain = Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    // A failed tag check is the expected answer for another session's seal, not an error.
    return null;
  }
  const [receipt = '', digest = ''] = plain.split(' ');
  return { receipt, sameChoice: digest === choiceDigest(sessionToken, pollId, choiceKey) };
}

/** Fisher–Yates with a cryptographic RNG: row order must not be guessable from arrival order. */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
