interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions<T> {
  /** Writes a batch in one round trip; throws if any item fails. */
  write(items: T[]): Promise<void>;
  /** Most items in one batch. */
  maxItems?: number;
  /** Size of an item, for maxBytes. */
  sizeOf?(item: T): number;
  /** Most bytes in one batch (at least one item always goes). */
  maxBytes?: number;
}

/**
 * Group commit: while one write is in flight, everything submitted meanwhile queues and goes in
 * the next write, so a burst costs one round trip. Submission order is kept (batches are
 * sequential and resolve in order). When a batch fails, its items are retried one by one so only
 * the items that really fail are rejected.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private running: Promise<void> | null = null;
  /** Batches written (round trips, not counting one-by-one retries). */
  batches = 0;
  private readonly maxItems: number;
  private readonly maxBytes: number;

  constructor(private readonly options: GroupCommitOptions<T>) {
    this.maxItems = options.maxItems ?? 1000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Resolves once the item is written; rejects with the write's error. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Started on a microtask so that items submitted in the same tick share the first batch.
      this.running ??= Promise.resolve().then(() => this.run());
    });
  }

  /** Resolves when everything submitted so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  private takeBatch(): Pending<T>[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.maxItems) {
      const size = this.options.sizeOf?.(this.queue[n]!.item) ?? 0;
      if (n > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.takeBatch();
        this.batches++;
        try {
          await this.options.write(batch.map((p) => p.item));
          for (const p of batch) p.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.retryOneByOne(batch);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async retryOneByOne(batch: Pending<T>[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.options.write([p.item]);
        p.resolve();
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
