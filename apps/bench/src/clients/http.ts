import type { BurstRecord, BurstResult, Task } from '../protocol.ts';
import { clock } from '../stats.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Sends every request at its scheduled instant, without waiting for earlier answers (an open
 * arrival process, as residents' phones are: a slow answer never delays the next resident).
 */
export async function burst(task: Extract<Task, { kind: 'http.burst' }>): Promise<BurstResult> {
  const ordered = [...task.requests].sort((a, b) => a.offsetMs - b.offsetMs);
  const pending: Promise<BurstRecord>[] = [];
  for (const request of ordered) {
    await sleep(task.startAt + request.offsetMs - clock());
    pending.push(
      (async () => {
        const at = clock();
        const started = performance.now();
        try {
          const res = await fetch(new URL(request.path, task.url), {
            method: request.method,
            headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
            body: request.body === undefined ? undefined : JSON.stringify(request.body),
          });
          const text = await res.text();
          const ms = performance.now() - started;
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const code = res.ok ? undefined : ((json as { error?: { code?: string } } | undefined)?.error?.code ?? `http ${res.status}`);
          return { index: request.index, status: res.status, at, ms, ...(code ? { code } : {}), ...(request.keep && res.ok ? { json } : {}) };
        } catch (error) {
          return { index: request.index, status: 0, at, ms: performance.now() - started, code: (error as Error).message };
        }
      })(),
    );
  }
  return { records: await Promise.all(pending) };
}
