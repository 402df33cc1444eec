/**
 * Gathers the lookups made while one macrotask runs and answers them with one query: 500 tablets
 * reaching the upgrade gate together cost a handful of database round trips instead of 1,000
 * (PGlite runs on the event loop, so each query there also blocks every other client).
 */
export class Batcher<K, V> {
  private pending = new Map<K, { resolve: (value: V) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    /** Answers every key asked for; keys missing from the map get `fallback`. */
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly fallback: V,
    /** Most keys in one query. */
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const slice = keys.slice(i, i + this.maxBatch);
      this.fetch(slice).then(
        (found) => {
          for (const key of slice) for (const w of batch.get(key)!) w.resolve(found.has(key) ? found.get(key)! : this.fallback);
        },
        (error: unknown) => {
          for (const key of slice) for (const w of batch.get(key)!) w.reject(error);
        },
      );
    }
  }
}
