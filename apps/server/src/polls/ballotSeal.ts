import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { MOTION_CHOICES, RECEIPT_LENGTH, UNIT_LIMITS, type OwnersBallot, type PollChoice, type PollKind, type StoredChoice } from '@yishi/model';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'yishi/ballot/v1';


/**
 * The keys secret polls' ballots are sealed under while open: one per poll, derived (HKDF-SHA256,
 * info = poll id) from the server secret, which never enters the database (docs/threat-model.md).
 */
export class BallotKeys {
  private readonly secret: Buffer;
  /** Derived keys of recent polls: a burst of votes must not pay for HKDF per ballot. */
  private readonly derived = new Map<string, { key: Buffer; check: string }>();

  constructor(
    secret: Uint8Array,
    private readonly capacity = 256,
  ) {
    if (secret.length < 32) throw new Error('the ballot secret must be at least 32 bytes');
    this.secret = Buffer.from(secret);
  }

  private of(pollId: string): { key: Buffer; check: string } {
    let entry = this.derived.get(pollId);
    if (!entry) {
      const key = Buffer.from(hkdfSync('sha256', this.secret, SALT, pollId, 32));
      entry = { key, check: createHmac('sha256', key).update('yishi/ballot/key-check').digest('base64url') };
      this.derived.set(pollId, entry);
      if (this.derived.size > this.capacity) this.derived.delete(this.derived.keys().next().value!);
    }
    return entry;
  }

  /** The poll's AES-256 key. */
  key(pollId: string): Buffer {
    return this.of(pollId).key;
  }

  /** A fingerprint of the poll's key, stored on the poll at open: tells a changed secret from the right one. */
  check(pollId: string): string {
    return this.of(pollId).check;
  }

  /** Whether `stored` is this server's fingerprint for the poll. */
  matches(pollId: string, stored: string): boolean {
    const mine = Buffer.from(this.check(pollId));
    const theirs = Buffer.from(stored);
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }
}

/** The keyed digest of a receipt that keeps sealed receipts unique per poll without storing them. */
export function receiptTag(key: Buffer, receipt: string): string {
  return createHmac('sha256', key).update(`receipt\0${receipt}`).digest('base64url');
}

/**
 * Seals a ballot's choice and receipt (AES-256-GCM under the poll key, a random 96-bit nonce per
 * ballot so equal choices never give equal ciphertexts, the ballot id as associated data), padded
 * to the poll's `sealedLength` so that every ballot of a poll has the same length.
 */
export function sealBallot(key: Buffer, ballotId: string, choice: StoredChoice, receipt: string, length: number): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(ballotId));
  const body = Buffer.concat([cipher.update(padded(sealedJson(choice, receipt), length)), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

const sealedJson = (choice: StoredChoice, receipt: string) => JSON.stringify({ c: choice, r: receipt });

/**
 * The length every sealed plaintext of a poll is padded to: that of its longest possible ballot
 * (the longest motion word, the longest option id, `seats` or all of the longest ids), so that a
 * ciphertext's length tells 弃权 from 赞成, or one pick from five, no better than chance.
 */
export function sealedLength(poll: { kind: PollKind; options: { id: string }[]; seats?: number | null; ballot?: string | undefined }): number {
  const ids = poll.options.map((o) => o.id).sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a));
  // A marks ballot at its longest marks every candidate with the longest mark.
  const longestMark = [...MOTION_CHOICES].sort((a, b) => b.length - a.length)[0]!;
  // An owners' ballot at its longest: the longest word, the whole register's area and heads, not paper.
  const ownersLongest: OwnersBallot = { choice: longestMark, area: UNIT_LIMITS.areaHundredths * UNIT_LIMITS.units, heads: UNIT_LIMITS.units, paper: false };
  const longest: StoredChoice =
    poll.kind === 'owners'
      ? ownersLongest
      : poll.kind === 'election' && poll.ballot === 'marks'
      ? (Object.fromEntries(ids.map((id) => [id, longestMark])) as PollChoice)
      : poll.kind === 'motion'
      ? [...MOTION_CHOICES].sort((a, b) => b.length - a.length)[0]!
      : poll.kind === 'choice'
        ? (ids[0] ?? '')
        : poll.kind === 'election'
          ? ids.slice(0, poll.seats ?? 1)
          : ids;
  return Buffer.byteLength(sealedJson(longest, 'X'.repeat(RECEIPT_LENGTH)));
}

// Trailing spaces, which JSON.parse ignores. A choice is checked against the poll before it is
// sealed, so it never exceeds the poll's length; if it did, it would be sealed unpadded beyond it.
function padded(json: string, length: number): Buffer {
  const bytes = Buffer.from(json, 'utf8');
  return bytes.length >= length ? bytes : Buffer.concat([bytes, Buffer.alloc(length - bytes.length, 0x20)]);
}

/** Thrown when a sealed ballot does not open under this server's key (another secret, or tampering). */
export class SealBroken extends Error {
  constructor() {
    super('a sealed ballot does not open under this server secret');
  }
}

/** Opens what sealBallot sealed; throws SealBroken otherwise. */
export function openBallot(key: Buffer, ballotId: string, sealed: Uint8Array): { choice: StoredChoice; receipt: string } {
  const buf = Buffer.from(sealed);
  if (buf.length <= IV_BYTES + TAG_BYTES) throw new SealBroken();
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(ballotId));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    plain = Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealBroken();
  }
  const { c, r } = JSON.parse(plain) as { c: StoredChoice; r: string };
  return { choice: c, receipt: r };
}
