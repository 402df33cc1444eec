import { z } from 'zod';
import type { Ack } from '../polls.ts';
import { hex, md5 } from './md5.ts';

/*
 * Drawing lots (抽籤) that anyone can recompute, as RFC 3797 describes:
 *
 * 1. The entries are numbered 1..n in the order published (the order is part of the draw).
 * 2. The seed is public random values announced beforehand (lottery numbers, ...). Each source is a
 *    group of whole numbers; within a group the numbers are sorted, each is written in decimal
 *    without leading zeros and followed by '.', and every group ends with '/':
 *    "9319./2.5.8.10.12./9.18.26.34.41.45./" (the key string).
 * 3. For winner i (i = 0, 1, ...), MD5(i as 2 bytes big endian || key || i as 2 bytes big endian) is
 *    read as a 128-bit big-endian number and divided by the number of entries still in the pool;
 *    the remainder r picks the (r+1)-th remaining entry in the published order, which leaves the pool.
 *
 * Pure functions: the server stores what they return, the public page recomputes it in the browser.
 */

/** The method, as the public page and the minutes name it. */
export const DRAW_METHOD = 'RFC 3797';

export const DRAW_LIMITS = {
  title: 200,
  entries: 1000,
  entry: 200,
  seedSource: 500,
  /** The seed text as typed (the public values). */
  seed: 2000,
  /** RFC 3797's reference code takes up to 16 sources of up to 16 numbers each. */
  sources: 16,
  numbersPerSource: 16,
  /** Digits of one number (the reference code reads them as a C long). */
  digits: 18,
  /** draw:create carries up to 1000 entries: its own event size cap (UTF-8 bytes of the JSON). */
  createBytes: 56 * 1024,
  id: 64,
} as const;

const id = z.string().min(1).max(DRAW_LIMITS.id);
const entry = z.string().trim().min(1).max(DRAW_LIMITS.entry);

/** draw:create — the list and the announced seed source are frozen from here on. */
export const drawCreatePayload = z.object({
  meetingId: id,
  title: z.string().trim().min(1).max(DRAW_LIMITS.title),
  entries: z.array(entry).min(2).max(DRAW_LIMITS.entries),
  winners: z.number().int().min(1).max(DRAW_LIMITS.entries),
  /** Which public random value will seed the draw, e.g. 「12月2日福彩3D开奖号码」. */
  seedSource: z.string().trim().min(1).max(DRAW_LIMITS.seedSource),
});
export type DrawCreatePayload = z.infer<typeof drawCreatePayload>;

/** draw:seed — the announced values, once they are known; set once. */
export const drawSeedPayload = z.object({
  drawId: id,
  seed: z.string().trim().min(1).max(DRAW_LIMITS.seed),
});
export type DrawSeedPayload = z.infer<typeof drawSeedPayload>;

export const drawListPayload = z.object({ meetingId: id });
export type DrawListPayload = z.infer<typeof drawListPayload>;

/** The kind-free rules of draw:create that zod does not express; the offending field or null. */
export function checkDrawShape(p: Pick<DrawCreatePayload, 'entries' | 'winners'>): { field: 'entries' | 'winners'; duplicate?: string } | null {
  const seen = new Set<string>();
  for (const e of p.entries) {
    const key = e.normalize('NFC');
    if (seen.has(key)) return { field: 'entries', duplicate: e };
    seen.add(key);
  }
  if (p.winners > p.entries.length) return { field: 'winners' };
  return null;
}

/** Why a seed text could not be read: the token at fault, or the limit passed. */
export type SeedError = { kind: 'not_a_number'; token: string } | { kind: 'too_large' } | { kind: 'empty' };

const FULL_WIDTH_DIGITS = /[０-９]/g;

/**
 * Reads the public values as typed: one source per line (or separated by '/' or ';'), the numbers
 * of a source separated by spaces or commas. Whole numbers only; leading zeros are dropped (as
 * RFC 3797's reference code reads them). Returns each source's numbers as canonical digit strings.
 */
export function parseSeed(text: string): { ok: true; sources: string[][] } | { ok: false; error: SeedError } {
  const sources: string[][] = [];
  const normalized = text.replace(FULL_WIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48));
  for (const group of normalized.split(/[\r\n/;／；|]+/)) {
    const tokens = group.split(/[\s,，、]+/u).filter(Boolean);
    if (!tokens.length) continue;
    const numbers: string[] = [];
    for (const token of tokens) {
      if (!/^\d+$/.test(token)) return { ok: false, error: { kind: 'not_a_number', token: token.slice(0, 40) } };
      const digits = token.replace(/^0+(?=\d)/, '');
      if (digits.length > DRAW_LIMITS.digits) return { ok: false, error: { kind: 'too_large' } };
      numbers.push(digits);
    }
    if (numbers.length > DRAW_LIMITS.numbersPerSource) return { ok: false, error: { kind: 'too_large' } };
    sources.push(numbers);
  }
  if (!sources.length) return { ok: false, error: { kind: 'empty' } };
  if (sources.length > DRAW_LIMITS.sources) return { ok: false, error: { kind: 'too_large' } };
  return { ok: true, sources };
}

/** Numeric order of canonical digit strings (no leading zeros), without BigInt. */
const byValue = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** RFC 3797's key string: per source its numbers sorted, each followed by '.', the source by '/'. */
export function keyString(sources: readonly (readonly string[])[]): string {
  return sources.map((numbers) => [...numbers].sort(byValue).map((n) => `${n}.`).join('') + '/').join('');
}

/** One selection step, as RFC 3797 section 6 tabulates it. */
export interface DrawStep {
  /** 1-based, as in the RFC's table. */
  index: number;
  /** MD5 of (index−1 || key || index−1), upper-case hex. */
  digest: string;
  /** Entries left in the pool before this step. */
  divisor: number;
  remainder: number;
  /** 1-based position of the selected entry in the published list. */
  selected: number;
}

/** The remainder of a 128-bit big-endian number divided by a small positive number. */
function remainderOf(bytes: Uint8Array, divisor: number): number {
  let r = 0;
  for (const b of bytes) r = (r * 256 + b) % divisor;
  return r;
}

/** Selects `count` of `pool` positions (1-based) without replacement, in order, from a key string. */
export function rfc3797Select(key: string, pool: number, count: number): DrawStep[] {
  if (!Number.isInteger(pool) || pool < 1 || pool > 0xffff) throw new RangeError('pool must be 1..65535');
  if (!Number.isInteger(count) || count < 0 || count > pool) throw new RangeError('count must be 0..pool');
  const keyBytes = Uint8Array.from(key, (ch) => {
    const code = ch.charCodeAt(0);
    if (code > 0x7f) throw new RangeError('key must be ASCII');
    return code;
  });
  const remaining = Array.from({ length: pool }, (_, i) => i + 1);
  const steps: DrawStep[] = [];
  const message = new Uint8Array(keyBytes.length + 4);
  message.set(keyBytes, 2);
  for (let i = 0; i < count; i++) {
    message[0] = message[message.length - 2] = (i >> 8) & 0xff;
    message[1] = message[message.length - 1] = i & 0xff;
    const digest = md5(message);
    const divisor = remaining.length;
    const remainder = remainderOf(digest, divisor);
    const [selected] = remaining.splice(remainder, 1);
    steps.push({ index: i + 1, digest: hex(digest), divisor, remainder, selected: selected! });
  }
  return steps;
}

/** Everything a verifier needs: the key string, each step and the winners in order. */
export interface DrawComputation {
  key: string;
  steps: DrawStep[];
  result: string[];
}

/** The draw of `winners` of `entries` from the seed text; the seed error when it cannot be read. */
export function computeDraw(entries: readonly string[], winners: number, seed: string): { ok: true; draw: DrawComputation } | { ok: false; error: SeedError } {
  const parsed = parseSeed(seed);
  if (!parsed.ok) return parsed;
  const key = keyString(parsed.sources);
  const steps = rfc3797Select(key, entries.length, winners);
  return { ok: true, draw: { key, steps, result: steps.map((s) => entries[s.selected - 1]!) } };
}

/** A draw as the API shows it; `seed`, `key`, `steps` and `result` are null until the seed is set. */
export interface DrawDto {
  id: string;
  meetingId: string;
  title: string;
  entries: string[];
  winners: number;
  seedSource: string;
  seed: string | null;
  key: string | null;
  steps: DrawStep[] | null;
  result: string[] | null;
  method: typeof DRAW_METHOD;
  createdAt: string;
  seededAt: string | null;
}

/** GET /api/public/draws/:id — no account needed; no names of who ran it. */
export type PublicDrawDto = Pick<DrawDto, 'id' | 'title' | 'entries' | 'winners' | 'seedSource' | 'seed' | 'key' | 'steps' | 'result' | 'method' | 'createdAt' | 'seededAt'> & {
  meetingTitle: string;
};

export type DrawAck = Ack<{ draw: DrawDto }>;
export type DrawListAck = Ack<{ draws: DrawDto[] }>;

/** socket.io events of draws a client sends; each takes an ack. */
export interface DrawClientToServerEvents {
  'draw:list': (payload: DrawListPayload, ack: (answer: DrawListAck) => void) => void;
  'draw:create': (payload: DrawCreatePayload, ack: (answer: DrawAck) => void) => void;
  'draw:seed': (payload: DrawSeedPayload, ack: (answer: DrawAck) => void) => void;
}

/** socket.io events of draws the server sends to everyone in the meeting. */
export interface DrawServerToClientEvents {
  'draw:state': (payload: { draw: DrawDto }) => void;
}
