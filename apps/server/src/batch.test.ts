import { describe, expect, it } from 'vitest';
import { Batcher } from './batch.ts';

/** A fetch that records each query's keys and answers after `ms`. */
function recorder(ms: number, fail?: (keys: number[]) => boolean) {
  const queries: number[][] = [];
  let inFlight = 0;
  let most = 0;
  const fetch = async (keys: number[]) => {
    queries.push(keys);
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    if (fail?.(keys)) throw new Error('database away');
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `v${k}`]));
  };
  return { queries, fetch, most: () => most };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('answers lookups of one tick with one query, and missing keys with the fallback', async () => {
    const r = recorder(5);
    const batcher = new Batcher(r.fetch, null);
    const answers = await Promise.all([1, 2, 3, 4, 2].map((k) => batcher.load(k)));
    expect(answers).toEqual([null, 'v2', null, 'v4', 'v2']);
    expect(r.queries).toEqual([[1, 2, 3, 4]]);
  });

  it('gathers lookups that trickle in during a burst into few queries, one at a time', async () => {
    const r = recorder(3);
    const batcher = new Batcher(r.fetch, null, 500, 1, 10);
    const pending: Promise<string | null>[] = [];
    const started = performance.now();
    // One lookup per millisecond for 100 ms, as upgrades arrive one socket at a time.
    for (let k = 0; k < 100; k++) {
      pending.push(batcher.load(k));
      await sleep(1);
    }
    const answers = await Promise.all(pending);
    const elapsed = performance.now() - started;
    expect(answers.filter(Boolean)).toHaveLength(50);
    expect(r.most()).toBe(1);
    // Queries start at most every 10 ms (timers are late, never early): not one per lookup.
    expect(r.queries.length).toBeLessThanOrEqual(Math.ceil(elapsed / 10) + 1);
    expect(r.queries.length).toBeLessThan(30);
    expect(r.queries.flat().sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });

  it('sends a lookup after a quiet spell at once', async () => {
    const r = recorder(1);
    const batcher = new Batcher(r.fetch, null, 500, 1, 50);
    await batcher.load(2);
    await sleep(60);
    const started = performance.now();
    await batcher.load(4);
    expect(performance.now() - started).toBeLessThan(30);
  });

  it('splits more keys than one query may carry', async () => {
    const r = recorder(1);
    const batcher = new Batcher(r.fetch, null, 3, 1, 0);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((k) => batcher.load(k)));
    expect(r.queries).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('rejects the lookups of a failed query only, and keeps serving', async () => {
    const r = recorder(1, (keys) => keys.includes(13));
    const batcher = new Batcher(r.fetch, null, 500, 1, 0);
    await expect(batcher.load(13)).rejects.toThrow('database away');
    await expect(batcher.load(2)).resolves.toBe('v2');
    const thrower = new Batcher<number, null>(() => {
      throw new Error('sync throw');
    }, null);
    await expect(thrower.load(1)).rejects.toThrow('sync throw');
  });
});
