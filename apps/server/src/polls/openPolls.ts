import { eq } from 'drizzle-orm';
import { pollEligible, polls, type Db } from '@yishi/db';
import { pollWeights, type Weights } from './owners.ts';

/** A poll row as stored. */
export type PollRow = typeof polls.$inferSelect;

/** What a vote needs of an open poll: its rules and the eligible set fixed when it opened. */
export interface OpenPoll {
  row: PollRow;
  eligible: ReadonlySet<string>;
  /** Owners' polls: what each voter's ballot covers (fixed at open like the eligible set). */
  weights?: Weights;
}

/** How many open polls are kept; a meeting has a handful, a busy server a few hundred at most. */
const DEFAULT_CAPACITY = 256;

/**
 * The open polls of this process, loaded once per poll so that a vote reads nothing: once open, a
 * poll's rules and eligible set never change, only its status, and a close by another instance is
 * caught by the batch transactions' FOR SHARE check (which then `forget`s the poll here).
 */
export class OpenPolls {
  private readonly entries = new Map<string, Promise<OpenPoll | null>>();

  constructor(
    private readonly db: Db,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** The poll if it is open (as last seen by this process); null when unknown or not open. */
  get(pollId: string): Promise<OpenPoll | null> {
    const cached = this.entries.get(pollId);
    if (cached) return cached;
    // Concurrent first votes share one load.
    const loading = this.load(pollId);
    this.entries.set(pollId, loading);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    // Only open polls stay: a draft may open any moment, and a failed load is retried by the next vote.
    loading.then(
      (open) => open || this.drop(pollId, loading),
      () => this.drop(pollId, loading),
    );
    return loading;
  }

  /** Drops everything: an eligible set changed (someone was removed); the next votes reload. */
  clear(): void {
    this.entries.clear();
  }

  /** Drops a poll that closed (or vanished); the next vote loads it afresh. */
  forget(pollId: string): void {
    this.entries.delete(pollId);
  }

  private drop(pollId: string, entry: Promise<OpenPoll | null>): void {
    if (this.entries.get(pollId) === entry) this.entries.delete(pollId);
  }

  private async load(pollId: string): Promise<OpenPoll | null> {
    const [row] = await this.db.select().from(polls).where(eq(polls.id, pollId));
    if (row?.status !== 'open') return null;
    const voters = await this.db
      .select({ userId: pollEligible.userId })
      .from(pollEligible)
      .where(eq(pollEligible.pollId, pollId));
    const open: OpenPoll = { row, eligible: new Set(voters.map((v) => v.userId)) };
    if (row.kind === 'owners') open.weights = await pollWeights(this.db, pollId);
    return open;
  }
}
