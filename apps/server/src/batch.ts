/**
 * Gathers lookups and answers them with one query: 500 tablets reaching the upgrade gate together
 * cost a few dozen database round trips instead of 1,000 (PGlite runs on the event loop, so each
 * query there also blocks every other client). On PGlite one session lookup costs ~1.4 ms whatever
 * it carries, 500 of them in one query ~20 ms.
 *
 * A lookup after a quiet spell goes out at the end of the current macrotask (lookups made in the
 * same tick share it). In a burst, queries of one batcher start at most every `gatherMs`, and at
 * most `maxInFlight` at once: whatever arrives meanwhile waits and goes in the next one. Upgrades
 * arrive one socket at a time, often one per event-loop turn, so without the wait each was its own
 * query (measured: 1,992 one-key queries for 1,500 tablets joining at once).
 */
export class Batcher<K, V> {
  private pending = new Map<K, { resolve: (value: V) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;
  private inFlight = 0;
  private lastRunAt = -Infinity;

  constructor(
    /** Answers every key asked for; keys missing from the map get `fallback`. */
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly fallback: V,
    /** Most keys in one query. */
    private readonly maxBatch = 500,
    /** Queries of this batcher at once; lookups beyond wait for one to return. */
    private readonly maxInFlight = 1,
    /** Least time between the starts of two queries (the longest a lookup waits to be gathered). */
    private readonly gatherMs = 10,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.pending.size) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.run();
    };
    const wait = this.lastRunAt + this.gatherMs - performance.now();
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  }

  private run(): void {
    const keys: K[] = [];
    for (const key of this.pending.keys()) {
      keys.push(key);
      if (keys.length >= this.maxBatch) break;
    }
    if (!keys.length) return;
    const waiters = keys.map((key) => {
      const w = this.pending.get(key)!;
      this.pending.delete(key);
      return w;
    });
    this.inFlight++;
    this.lastRunAt = performance.now();
    let query: Promise<Map<K, V>>;
    try {
      query = this.fetch(keys);
    } catch (error) {
      query = Promise.reject(error);
    }
    query
      .then(
        (found) => {
          keys.forEach((key, i) => {
            for (const w of waiters[i]!) w.resolve(found.has(key) ? found.get(key)! : this.fallback);
          });
        },
        (error: unknown) => {
          for (const list of waiters) for (const w of list) w.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
    // Room for another query (maxInFlight > 1, or more than maxBatch keys waiting).
    this.schedule();
  }
}
