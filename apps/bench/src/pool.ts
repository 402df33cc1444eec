import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Task, TaskResult, WorkerReply } from './protocol.ts';

const require = createRequire(import.meta.url);
const WORKER = new URL('./worker.ts', import.meta.url).pathname;

interface Pending {
  done: (result: TaskResult) => void;
  fail: (error: Error) => void;
}

/** Load-generator processes that hold the clients; the harness process only orchestrates. */
export class WorkerPool {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly children: ChildProcess[]) {
    for (const child of children) {
      child.on('message', (reply: WorkerReply) => {
        const waiter = this.pending.get(reply.id);
        if (!waiter) return;
        this.pending.delete(reply.id);
        if (reply.ok) waiter.done(reply.result);
        else waiter.fail(new Error(`worker task failed: ${reply.error}`));
      });
      child.on('exit', (code, signal) => {
        const error = new Error(`a worker process exited (${code ?? signal})`);
        for (const [id, waiter] of this.pending) {
          this.pending.delete(id);
          waiter.fail(error);
        }
      });
    }
  }

  /** Forks `count` workers running the TypeScript worker through tsx. */
  static start(count: number): WorkerPool {
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    const children = Array.from({ length: count }, () =>
      fork(WORKER, [], {
        execArgv: ['--import', tsx],
        // Typed arrays of latencies travel without a JSON round trip.
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    return new WorkerPool(children);
  }

  get size(): number {
    return this.children.length;
  }

  /** Runs one task on worker `index`. */
  run<R extends TaskResult>(index: number, task: Task): Promise<R> {
    const child = this.children[index];
    if (!child) throw new Error(`no worker ${index}`);
    const id = ++this.seq;
    return new Promise<R>((done, fail) => {
      this.pending.set(id, { done: done as (r: TaskResult) => void, fail });
      child.send({ id, task }, (error) => {
        if (!error) return;
        this.pending.delete(id);
        fail(error);
      });
    });
  }

  /** Runs one task per worker (built from the worker index) and waits for all. */
  each<R extends TaskResult>(task: (index: number) => Task | null): Promise<(R | null)[]> {
    return Promise.all(
      this.children.map((_, i) => {
        const t = task(i);
        return t ? this.run<R>(i, t) : Promise.resolve(null);
      }),
    );
  }

  /** Ends the workers (they drop every client they hold). */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.disconnect();
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}
