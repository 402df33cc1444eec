import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer.ts';

/** A task whose runs the test finishes by hand, recording what each run saw. */
function controlledTask() {
  const runs: { key: string; current: () => boolean; finish: () => void }[] = [];
  const task = (key: string, current: () => boolean) =>
    new Promise<void>((finish) => runs.push({ key, current, finish }));
  return { runs, task };
}

/** Lets settled promises' callbacks run (fake timers do not advance microtasks by themselves). */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first request at once and folds a burst into one run after the interval', async () => {
    const { runs, task } = controlledTask();
    const c = new Coalescer(150, task, (e) => {
      throw e;
    });
    c.request('p');
    expect(runs).toHaveLength(1);
    for (let i = 0; i < 50; i++) c.request('p');
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await settle();
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(150);
    // The requests made during the first run are answered by exactly one run that started after them.
    expect(runs).toHaveLength(2);
    runs[1]!.finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(2);
    // Idle again: the next request runs at once.
    c.request('p');
    expect(runs).toHaveLength(3);
    runs[2]!.finish();
    await c.close();
  });

  it('keeps keys apart', async () => {
    const { runs, task } = controlledTask();
    const c = new Coalescer(150, task, (e) => {
      throw e;
    });
    c.request('a');
    c.request('b');
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    for (const r of runs) r.finish();
    await c.close();
  });

  it('cancel drops the pending run and tells the running one it is stale', async () => {
    const { runs, task } = controlledTask();
    const c = new Coalescer(150, task, (e) => {
      throw e;
    });
    c.request('p');
    c.request('p');
    expect(runs[0]!.current()).toBe(true);
    c.cancel('p');
    expect(runs[0]!.current()).toBe(false);
    runs[0]!.finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(1);
    await c.close();
  });

  it('reports a failed run and keeps serving the key', async () => {
    const errors: string[] = [];
    let calls = 0;
    const c = new Coalescer(
      150,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
      (error, key) => errors.push(`${key}: ${(error as Error).message}`),
    );
    c.request('p');
    await settle();
    expect(errors).toEqual(['p: database down']);
    c.request('p');
    await vi.advanceTimersByTimeAsync(150);
    expect(calls).toBe(2);
    await c.close();
  });

  it('close waits for runs in progress and starts no more', async () => {
    const { runs, task } = controlledTask();
    const c = new Coalescer(150, task, (e) => {
      throw e;
    });
    c.request('p');
    c.request('p');
    let closed = false;
    const closing = c.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    runs[0]!.finish();
    await closing;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(1);
  });
});
