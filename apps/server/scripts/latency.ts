// Edit → other-client latency over the real Yjs layer with stock y-websocket providers.
// Run from apps/server:  node --import tsx scripts/latency.ts [clients=50] [edits=100]
// (DATABASE_URL=postgres://… to measure on Postgres; embedded PGlite otherwise.)
// Clients and server share this one process, so the numbers include the clients' own work.
import * as Y from 'yjs';
import { createAgendaItem, sortedItems } from '@yishi/model';
import {
  createTestContext,
  joinedGuest,
  listeningServer,
  meetingWithHost,
} from '../src/testing.ts';
import { createYjsLayer } from '../src/yjs/layer.ts';
import { connectPeer, type TestPeer } from '../src/yjs/testing.ts';

const CLIENTS = Number(process.argv[2] ?? 50);
const EDITS = Number(process.argv[3] ?? 100);
process.setMaxListeners(CLIENTS + 20);

const ctx = await createTestContext();
const { yishi, wsUrl } = await listeningServer(ctx, [
  (_s, deps) => createYjsLayer(deps, { heartbeatMs: 0 }),
]);
const { host, meeting } = await meetingWithHost(ctx.app, 'building-talk');
const cookies = [host.client.cookieHeader()];
// One session per client: the per-user connection limit applies as in production.
for (let i = 1; i < CLIENTS; i++)
  cookies.push((await joinedGuest(ctx.app, meeting.joinCode, `樓長${i}`)).client.cookieHeader());
const peers: TestPeer[] = cookies.map((cookie) => connectPeer(wsUrl, meeting.id, cookie));
await Promise.all(peers.map((p) => p.synced));

const editor = peers[0]!;
const receivers = peers.slice(1);
const itemId = createAgendaItem(editor.doc, { title: '延迟测试' });
const titleOf = (doc: Y.Doc) =>
  sortedItems(doc)
    .find((item) => item.get('id') === itemId)
    ?.get('title');
await Promise.all(
  receivers.map(
    (p) =>
      new Promise<void>((done) => {
        const check = () =>
          titleOf(p.doc) instanceof Y.Text && (p.doc.off('update', check), done());
        p.doc.on('update', check);
        check();
      }),
  ),
);

const samples: number[] = [];
for (let edit = 0; edit < EDITS; edit++) {
  const marker = `·${edit}`;
  const started = performance.now();
  const arrived = receivers.map(
    (p) =>
      new Promise<void>((done) => {
        const check = () => {
          const title = titleOf(p.doc);
          if (title instanceof Y.Text && title.toString().endsWith(marker)) {
            samples.push(performance.now() - started);
            p.doc.off('update', check);
            done();
          }
        };
        p.doc.on('update', check);
      }),
  );
  const title = titleOf(editor.doc) as Y.Text;
  title.insert(title.length, marker);
  await Promise.all(arrived);
}

samples.sort((a, b) => a - b);
const pct = (p: number) =>
  samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(1);
console.log(
  JSON.stringify({
    driver: ctx.database.driver,
    clients: CLIENTS,
    edits: EDITS,
    samples: samples.length,
    p50ms: Number(pct(50)),
    p90ms: Number(pct(90)),
    p99ms: Number(pct(99)),
    maxms: Number(samples.at(-1)!.toFixed(1)),
  }),
);
for (const p of peers) p.destroy();
await yishi.close();
await ctx.dispose();
