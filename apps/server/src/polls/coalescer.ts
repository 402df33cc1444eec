/** Runs a keyed task; `current()` turns false once the key was cancelled, so a stale result can be dropped. */
export type CoalescedTask = (key: string, current: () => boolean) => Promise<void>;

interface Entry {
  /** Another request came while running or waiting: run once more when the interval is over. */
  dirty: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs a task per key at most once per `intervalMs`: the first request runs at once, requests during
 * a run or the following interval fold into one more run at its end, so the last request is always
 * followed by a run that started after it.
 */
export class Coalescer {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly intervalMs: number,
    private readonly task: CoalescedTask,
    private readonly onError: (error: unknown, key: string) => void,
  ) {}

  /** Asks for a run of `key`. */
  request(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.dirty = true;
      return;
    }
    const fresh: Entry = { dirty: false, timer: null };
    this.entries.set(key, fresh);
    this.start(key, fresh);
  }

  /** Drops a pending run of `key`; a run in progress sees `current()` turn false. */
  cancel(key: string): void {
    const entry = this.entries.get(key);
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  /** Cancels everything pending and waits for the runs in progress. */
  async close(): Promise<void> {
    for (const key of [...this.entries.keys()]) this.cancel(key);
    await Promise.allSettled([...this.running]);
  }

  private start(key: string, entry: Entry): void {
    entry.dirty = false;
    const began = performance.now();
    const current = () => this.entries.get(key) === entry;
    const run = this.task(key, current).then(undefined, (error: unknown) =>
      this.onError(error, key),
    );
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      if (!current()) return;
      // The entry lives for one more interval: requests until then fold into a run at its end.
      entry.timer = setTimeout(
        () => {
          entry.timer = null;
          if (!current()) return;
          if (entry.dirty) this.start(key, entry);
          else this.entries.delete(key);
        },
        Math.max(0, this.intervalMs - (performance.now() - began)),
      );
    });
  }
}
