import { and, eq, inArray, sql } from 'drizzle-orm';
import { pollBallots, polls, pollVoters, type Db, type Tx } from '@yishi/db';
import type { StoredChoice } from '@yishi/model';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { OpenPolls } from './openPolls.ts';
import { receiptTag, sealBallot } from './ballotSeal.ts';
import { newReceipt, openVote, sealVote, shuffle } from './receipts.ts';

/** One voter's request, already authorized and validated against the poll. */
export interface VoteRequest {
  pollId: string;
  userId: string;
  /** The raw session token: seals the receipt so that only this session can read it back. */
  sessionToken: string;
  choice: StoredChoice;
  /** The choice in canonical form (canonicalChoice): tells a retry from a second, different vote. */
  choiceKey: string;
  /** Named polls store who voted on the ballot; secret polls never do. */
  named: boolean;
  /** Secret polls: the poll's key (BallotKeys) and sealed length; the ballot is stored sealed until close. */
  seal: { key: Buffer; length: number } | null;
}

export interface BallotBoxOptions {
  /** How long a batch waits for company when traffic is low (ms). */
  windowMs?: number;
  /** A batch is written at once when it reaches this size. */
  maxBatch?: number;
  /** Called after a batch is committed, once per poll (for turnout broadcasts). */
  onCast?: (pollId: string) => void;
}

interface Item {
  req: VoteRequest;
  resolve: (receipt: string) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  items: Item[];
  timer: NodeJS.Timeout | null;
}

/**
 * Writes ballots exactly once, apart from who cast them (docs/threat-model.md):
 * tx1 inserts the batch's voter marks as 'pending' (the primary key refuses a second vote);
 * tx2 inserts the batch's ballots in shuffled order; tx3 flips the marks to 'cast'; then acks.
 * A crash between steps is repaired by `reconcilePoll` without linking any mark to any ballot.
 */
export class BallotBox {
  /** The open polls votes are checked against, without a database read per vote. */
  readonly openPolls: OpenPolls;
  private readonly queues = new Map<string, Queue>();
  private readonly inFlight = new Map<string, { sessionToken: string; choiceKey: string; done: Promise<string> }>();
  private readonly writing = new Set<Promise<void>>();
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: BallotBoxOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 50;
    this.maxBatch = options.maxBatch ?? 100;
    this.openPolls = new OpenPolls(db);
  }

  /** Casts a ballot; resolves with the receipt once the ballot and the voter mark are committed. */
  async cast(req: VoteRequest): Promise<string> {
    if (this.closed) throw new AppError('internal');
    const key = `${req.pollId}\0${req.userId}`;
    const running = this.inFlight.get(key);
    if (running) {
      // The same voter again while their ballot is in flight (second socket, quick retry): add nothing.
      const receipt = await running.done;
      if (running.sessionToken === req.sessionToken && running.choiceKey === req.choiceKey) return receipt;
      throw new AppError('already_voted');
    }
    const done = new Promise<string>((resolve, reject) => this.enqueue({ req, resolve, reject }));
    this.inFlight.set(key, { sessionToken: req.sessionToken, choiceKey: req.choiceKey, done });
    try {
      return await done;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Writes whatever is queued for a poll (or all polls) and waits for every batch in flight. */
  async flush(pollId?: string): Promise<void> {
    for (const id of pollId ? [pollId] : [...this.queues.keys()]) this.startBatch(id);
    while (this.writing.size) await Promise.allSettled([...this.writing]);
  }

  /** Refuses new ballots and writes those already accepted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private enqueue(item: Item): void {
    const { pollId } = item.req;
    let queue = this.queues.get(pollId);
    if (!queue) {
      queue = { items: [], timer: null };
      this.queues.set(pollId, queue);
    }
    queue.items.push(item);
    if (queue.items.length >= this.maxBatch) this.startBatch(pollId);
    else queue.timer ??= setTimeout(() => this.startBatch(pollId), this.windowMs);
  }

  private startBatch(pollId: string): void {
    const queue = this.queues.get(pollId);
    if (!queue) return;
    this.queues.delete(pollId);
    if (queue.timer) clearTimeout(queue.timer);
    if (!queue.items.length) return;
    const writing = this.writeBatch(pollId, queue.items).catch((error: unknown) => {
      // Closed (or deleted) meanwhile, perhaps by another instance: later votes must re-read the poll.
      if (error instanceof AppError && error.code === 'poll_not_open') this.openPolls.forget(pollId);
      else this.logger.error({ err: error, pollId, size: queue.items.length }, 'ballot batch failed');
      for (const item of queue.items) item.reject(error instanceof AppError ? error : new AppError('internal'));
    });
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
  }

  private async writeBatch(pollId: string, items: Item[]): Promise<void> {
    const batchId = newId();
    const prepared = items.map((item) => {
      const receipt = newReceipt();
      return { item, receipt, sealed: sealVote(item.req.sessionToken, pollId, item.req.userId, receipt, item.req.choiceKey) };
    });

    // tx1: who has voted, nothing about what. The primary key (poll_id, user_id) is the exactly-once guard.
    const accepted = await this.db.transaction(async (tx) => {
      await requireOpen(tx, pollId);
      const rows = await tx
        .insert(pollVoters)
        .values(shuffle(prepared).map((p) => ({ pollId, userId: p.item.req.userId, state: 'pending', batchId, sealedReceipt: p.sealed })))
        .onConflictDoNothing()
        .returning({ userId: pollVoters.userId });
      return new Set(rows.map((r) => r.userId));
    });
    const fresh = prepared.filter((p) => accepted.has(p.item.req.userId));
    const repeated = prepared.filter((p) => !accepted.has(p.item.req.userId));
    // A mark already there: a vote from an earlier batch, another process, or before a restart.
    if (repeated.length) await this.answerRepeats(pollId, repeated.map((p) => p.item));
    if (!fresh.length) return;

    try {
      // tx2: what was voted, shuffled, with no voter id (named polls excepted), no time, no sequence.
      await this.db.transaction(async (tx) => {
        await requireOpen(tx, pollId);
        // Lock our marks; if recovery removed any meanwhile, this batch must not add ballots.
        const marks = await tx
          .select({ userId: pollVoters.userId })
          .from(pollVoters)
          .where(and(eq(pollVoters.batchId, batchId), eq(pollVoters.state, 'pending')))
          .for('update');
        if (marks.length !== fresh.length) throw new AppError('internal');
        await tx.insert(pollBallots).values(
          shuffle(fresh).map((p) => {
            const { choice, seal, named, userId } = p.item.req;
            const id = newId();
            // Sealed: nothing in the row says what was chosen, or which receipt will be published for it.
            const stored = seal
              ? { sealed: sealBallot(seal.key, id, choice, p.receipt, seal.length), receiptTag: receiptTag(seal.key, p.receipt) }
              : { choice, receipt: p.receipt };
            return { id, pollId, ...stored, batchId, voterId: named ? userId : null };
          }),
        );
      });
    } catch (error) {
      // No ballot was written: free the marks so these voters may vote again.
      await this.db.delete(pollVoters).where(and(eq(pollVoters.batchId, batchId), eq(pollVoters.state, 'pending')));
      throw error;
    }

    // tx3: the marks become 'cast'; only now is the vote acknowledged.
    await this.db.update(pollVoters).set({ state: 'cast', batchId: null }).where(eq(pollVoters.batchId, batchId));
    for (const p of fresh) p.item.resolve(p.receipt);
    this.options.onCast?.(pollId);
  }

  private async answerRepeats(pollId: string, items: Item[]): Promise<void> {
    try {
      // One read for all of them: no round trip per voter.
      const marks = await this.db
        .select({ userId: pollVoters.userId, state: pollVoters.state, sealed: pollVoters.sealedReceipt })
        .from(pollVoters)
        .where(and(eq(pollVoters.pollId, pollId), inArray(pollVoters.userId, items.map((i) => i.req.userId))));
      const markOf = new Map(marks.map((m) => [m.userId, m]));
      for (const item of items) {
        const { userId, sessionToken, choiceKey } = item.req;
        const mark = markOf.get(userId);
        // Only the same session resending the same choice is a retry; anything else is a second vote.
        const mine = mark ? openVote(sessionToken, pollId, userId, mark.sealed, choiceKey) : null;
        if (!mark || !mine?.sameChoice) item.reject(new AppError('already_voted'));
        else if (mark.state === 'pending') item.reject(new AppError('vote_pending'));
        else item.resolve(mine.receipt);
      }
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }
}

async function requireOpen(tx: Tx, pollId: string): Promise<void> {
  // FOR SHARE: concurrent batches proceed together; closing (FOR UPDATE) waits for them, or they for it.
  const [poll] = await tx.select({ status: polls.status }).from(polls).where(eq(polls.id, pollId)).for('share');
  if (poll?.status !== 'open') throw new AppError('poll_not_open');
}

/**
 * Resolves the marks a crash left 'pending', inside the caller's transaction which holds the poll row
 * FOR UPDATE: a batch whose ballots exist is cast; a batch without ballots never was acknowledged,
 * so its marks go and those voters may vote again. Works per batch, never per voter.
 */
export async function reconcilePoll(tx: Tx, pollId: string): Promise<{ cast: number; dropped: number }> {
  const pending = await tx
    .selectDistinct({ batchId: pollVoters.batchId })
    .from(pollVoters)
    .where(and(eq(pollVoters.pollId, pollId), eq(pollVoters.state, 'pending')));
  let cast = 0;
  let dropped = 0;
  for (const { batchId } of pending) {
    const where = and(eq(pollVoters.pollId, pollId), eq(pollVoters.state, 'pending'), batchId ? eq(pollVoters.batchId, batchId) : sql`${pollVoters.batchId} is null`);
    const [ballot] = batchId
      ? await tx.select({ id: pollBallots.id }).from(pollBallots).where(and(eq(pollBallots.pollId, pollId), eq(pollBallots.batchId, batchId))).limit(1)
      : [];
    if (ballot) cast += (await tx.update(pollVoters).set({ state: 'cast', batchId: null }).where(where).returning({ u: pollVoters.userId })).length;
    else dropped += (await tx.delete(pollVoters).where(where).returning({ u: pollVoters.userId })).length;
  }
  return { cast, dropped };
}

/** Startup recovery: reconciles every poll that has pending voter marks, each under its row lock. */
export async function reconcileVotes(db: Db): Promise<{ cast: number; dropped: number }> {
  const rows = await db.selectDistinct({ pollId: pollVoters.pollId }).from(pollVoters).where(eq(pollVoters.state, 'pending'));
  const total = { cast: 0, dropped: 0 };
  for (const { pollId } of rows) {
    const r = await db.transaction(async (tx) => {
      await tx.select({ id: polls.id }).from(polls).where(eq(polls.id, pollId)).for('update');
      return reconcilePoll(tx, pollId);
    });
    total.cast += r.cast;
    total.dropped += r.dropped;
  }
  return total;
}

