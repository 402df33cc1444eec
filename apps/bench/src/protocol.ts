/** Tasks the harness sends to its worker processes, and what they answer. */
import type { FloodCounts } from './clients/flood.ts';

export interface YjsClientSpec {
  meetingId: string;
  cookie: string;
}

export type Task =
  /** Opens stock providers and waits until each synced (or failed). */
  | { kind: 'yjs.open'; session: string; yjsUrl: string; clients: YjsClientSpec[]; concurrency: number; timeoutMs: number }
  /** Makes some of the session's clients type probes at `rate` per second for `seconds`. */
  | { kind: 'yjs.type'; session: string; typists: { index: number; offsetMs: number }[]; rate: number; seconds: number }
  /**
   * Waits until every synced, non-typing client received what was sent in its meeting (or
   * `timeoutMs` passed) and hands over the latencies.
   */
  | { kind: 'yjs.drain'; session: string; sentByMeeting: Record<string, number>; timeoutMs: number }
  | { kind: 'yjs.close'; session: string }
  /** Connects socket.io voters and enters them into the meeting. */
  | { kind: 'votes.open'; session: string; url: string; meetingId: string; voters: { index: number; cookie: string }[]; concurrency: number }
  /** Every voter casts once at a random instant in [startAt, startAt + windowMs); some twice at once. */
  | { kind: 'votes.cast'; session: string; pollId: string; startAt: number; windowMs: number; duplicateShare: number }
  | { kind: 'votes.close'; session: string }
  /** One hostile guest floods with everything a stock client can send (clients/flood.ts). */
  | { kind: 'hostile.flood'; url: string; yjsUrl: string; meetingId: string; cookie: string; seconds: number }
  /** Sends each HTTP request at its own instant (startAt + offsetMs, shared clock) and records the answer. */
  | { kind: 'http.burst'; url: string; startAt: number; requests: BurstRequest[] };

/** One scheduled request of an http.burst. */
export interface BurstRequest {
  /** The caller's index for it (household, idea, probe). */
  index: number;
  offsetMs: number;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Hand the parsed JSON answer back (only where the harness needs it: receipts, ids). */
  keep?: boolean;
}

/** What one scheduled request got. */
export interface BurstRecord {
  index: number;
  status: number;
  /** Error code of a refused request. */
  code?: string;
  /** Sent at (shared clock) and send-to-answer time. */
  at: number;
  ms: number;
  json?: unknown;
}

export interface BurstResult {
  records: BurstRecord[];
}

export interface YjsOpenResult {
  synced: number;
  failed: number;
  /** A few failure reasons, for the report. */
  failures: string[];
  syncMs: number[];
}

export interface YjsTypeResult {
  sent: number[];
}

export interface YjsDrainResult {
  expected: number;
  received: number;
  latencies: Float64Array;
}

export interface VotesOpenResult {
  entered: number;
  failed: number;
  failures: string[];
}

/** One vote as the voter saw it. */
export interface CastRecord {
  /** The voter's index across all workers. */
  voter: number;
  choice: string;
  ok: boolean;
  receipt?: string;
  code?: string;
  /** Emit to ack, ms. */
  ms: number;
  /** Emitted at (shared clock). */
  at: number;
  /** A second, concurrent attempt by the same voter. */
  duplicate: boolean;
}

export interface VotesCastResult {
  casts: CastRecord[];
}

export type TaskResult = YjsOpenResult | YjsTypeResult | YjsDrainResult | VotesOpenResult | VotesCastResult | FloodCounts | BurstResult | Record<string, never>;

export type WorkerRequest = { id: number; task: Task };
export type WorkerReply = { id: number; ok: true; result: TaskResult } | { id: number; ok: false; error: string };
