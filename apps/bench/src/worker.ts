// A load-generator process: holds real clients and runs the tasks the harness sends over IPC.
import { mapLimit } from './api.ts';
import { connectLive, enterMeeting, vote, type LiveSocket } from './clients/voter.ts';
import { flood } from './clients/flood.ts';
import { syncWithin, YjsClient } from './clients/yjs.ts';
import { burst } from './clients/http.ts';
import type {
  CastRecord,
  Task,
  TaskResult,
  VotesCastResult,
  VotesOpenResult,
  WorkerReply,
  WorkerRequest,
  YjsDrainResult,
  YjsOpenResult,
  YjsTypeResult,
} from './protocol.ts';
import { clock } from './stats.ts';

interface YjsSession {
  clients: { client: YjsClient; meetingId: string; synced: boolean; typist: boolean }[];
  latencies: number[];
}

const yjsSessions = new Map<string, YjsSession>();
const voteSessions = new Map<string, { index: number; socket: LiveSocket }[]>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function yjsSession(name: string): YjsSession {
  const session = yjsSessions.get(name);
  if (!session) throw new Error(`no yjs session ${name}`);
  return session;
}

async function yjsOpen(task: Extract<Task, { kind: 'yjs.open' }>): Promise<YjsOpenResult> {
  const session: YjsSession = { clients: [], latencies: [] };
  yjsSessions.set(task.session, session);
  const failures: string[] = [];
  const syncMs: number[] = [];
  await mapLimit(task.clients, task.concurrency, async (spec) => {
    const client = new YjsClient(task.yjsUrl, spec.meetingId, spec.cookie, (ms) => session.latencies.push(ms));
    const entry = { client, meetingId: spec.meetingId, synced: false, typist: false };
    session.clients.push(entry);
    try {
      syncMs.push(await syncWithin(client, task.timeoutMs));
      entry.synced = true;
    } catch (error) {
      if (failures.length < 5) failures.push((error as Error).message);
      // A failed client must not keep reconnecting and loading the server.
      client.provider.disconnect();
    }
  });
  return { synced: syncMs.length, failed: task.clients.length - syncMs.length, failures, syncMs };
}

/** Types at a steady rate from a fixed schedule, so a slow turn does not shift later edits. */
async function typeAt(client: YjsClient, offsetMs: number, rate: number, seconds: number): Promise<number> {
  const interval = 1000 / rate;
  const count = Math.round(rate * seconds);
  const start = performance.now() + offsetMs;
  for (let i = 0; i < count; i++) {
    await sleep(start + i * interval - performance.now());
    client.edit();
  }
  return count;
}

async function yjsType(task: Extract<Task, { kind: 'yjs.type' }>): Promise<YjsTypeResult> {
  const session = yjsSession(task.session);
  const sent = await Promise.all(
    task.typists.map(({ index, offsetMs }) => {
      const entry = session.clients[index];
      if (!entry) throw new Error(`no client ${index} in session ${task.session}`);
      entry.typist = true;
      return typeAt(entry.client, offsetMs, task.rate, task.seconds);
    }),
  );
  return { sent };
}

async function yjsDrain(task: Extract<Task, { kind: 'yjs.drain' }>): Promise<YjsDrainResult> {
  const session = yjsSession(task.session);
  let expected = 0;
  for (const entry of session.clients) if (entry.synced && !entry.typist) expected += task.sentByMeeting[entry.meetingId] ?? 0;
  const deadline = performance.now() + task.timeoutMs;
  while (session.latencies.length < expected && performance.now() < deadline) await sleep(50);
  const latencies = Float64Array.from(session.latencies);
  session.latencies = [];
  return { expected, received: latencies.length, latencies };
}

function yjsClose(name: string): Record<string, never> {
  const session = yjsSessions.get(name);
  for (const { client } of session?.clients ?? []) client.destroy();
  yjsSessions.delete(name);
  return {};
}

async function votesOpen(task: Extract<Task, { kind: 'votes.open' }>): Promise<VotesOpenResult> {
  const sockets: { index: number; socket: LiveSocket }[] = [];
  voteSessions.set(task.session, sockets);
  const failures: string[] = [];
  await mapLimit(task.voters, task.concurrency, async ({ index, cookie }) => {
    let socket: LiveSocket | undefined;
    try {
      socket = await connectLive(task.url, cookie);
      await enterMeeting(socket, task.meetingId);
      sockets.push({ index, socket });
    } catch (error) {
      socket?.close();
      if (failures.length < 5) failures.push((error as Error).message);
    }
  });
  return { entered: sockets.length, failed: task.voters.length - sockets.length, failures };
}

const CHOICES = ['yes', 'no', 'abstain'] as const;

async function votesCast(task: Extract<Task, { kind: 'votes.cast' }>): Promise<VotesCastResult> {
  const sockets = voteSessions.get(task.session) ?? [];
  const casts: CastRecord[] = [];
  const castOne = async (socket: LiveSocket, voter: number, choice: string, duplicate: boolean) => {
    const at = clock();
    const started = performance.now();
    try {
      const ack = await vote(socket, task.pollId, choice);
      const ms = performance.now() - started;
      casts.push(ack.ok ? { voter, choice, ok: true, receipt: ack.receipt, ms, at, duplicate } : { voter, choice, ok: false, code: ack.error.code, ms, at, duplicate });
    } catch (error) {
      casts.push({ voter, choice, ok: false, code: `no_ack: ${(error as Error).message}`, ms: performance.now() - started, at, duplicate });
    }
  };
  await Promise.all(
    sockets.map(async ({ index: voter, socket }) => {
      await sleep(task.startAt + Math.random() * task.windowMs - clock());
      const choice = CHOICES[voter % CHOICES.length]!;
      const attempts = [castOne(socket, voter, choice, false)];
      // The same voter again, at once, with another choice: the server must keep exactly one.
      if (Math.random() < task.duplicateShare) attempts.push(castOne(socket, voter, CHOICES[(voter + 1) % CHOICES.length]!, true));
      await Promise.all(attempts);
    }),
  );
  return { casts };
}

function votesClose(name: string): Record<string, never> {
  for (const { socket } of voteSessions.get(name) ?? []) socket.close();
  voteSessions.delete(name);
  return {};
}

function run(task: Task): Promise<TaskResult> | TaskResult {
  switch (task.kind) {
    case 'yjs.open':
      return yjsOpen(task);
    case 'yjs.type':
      return yjsType(task);
    case 'yjs.drain':
      return yjsDrain(task);
    case 'yjs.close':
      return yjsClose(task.session);
    case 'votes.open':
      return votesOpen(task);
    case 'votes.cast':
      return votesCast(task);
    case 'votes.close':
      return votesClose(task.session);
    case 'hostile.flood':
      return flood(task);
    case 'http.burst':
      return burst(task);
  }
}

// Every stock provider adds a process 'exit' listener; hundreds per worker are expected here.
process.setMaxListeners(0);

process.on('message', (message: WorkerRequest) => {
  Promise.resolve()
    .then(() => run(message.task))
    .then(
      (result) => process.send!({ id: message.id, ok: true, result } satisfies WorkerReply),
      (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies WorkerReply),
    );
});
// The harness going away ends the worker too.
process.on('disconnect', () => process.exit(0));
