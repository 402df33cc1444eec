import { io, type Socket } from 'socket.io-client';
import type { IdeasClientToServerEvents, IdeasServerToClientEvents } from '@yishi/model';
import type { BenchContext } from '../context.ts';
import { socketUnavailable } from '../context.ts';
import { ResourceSampler } from '../procstat.ts';
import type { BurstRequest, BurstResult } from '../protocol.ts';
import type { ScenarioResult } from '../results.ts';
import { clock, summarize } from '../stats.ts';
import { host } from './setup.ts';

const LIVE_P99_MS = 1000;
export const IDEAS_TARGET = `every idea stored (0 lost), every one live in the organiser's list (p99 ≤ ${LIVE_P99_MS} ms)`;

type Organiser = Socket<IdeasServerToClientEvents, IdeasClientToServerEvents>;

const TEXTS = ['楼道杂物太多，希望定期清理', '晚上小区路灯太暗', '电动车乱停影响通行', '希望增加宠物便袋箱', '健身器材老化需要更换'];

/**
 * Residents post ideas from their phones (real HTTP clients, one address: the estate's NAT) while
 * an organiser watches the campaign over socket.io; every acknowledged idea must be stored and
 * must reach the organiser's list.
 */
export async function ideas(ctx: BenchContext): Promise<ScenarioResult> {
  const { ideas: count, seconds } = ctx.options.sizes.ideas;
  const unavailable = await socketUnavailable(ctx.yishi.url);
  if (unavailable) return { scenario: 'ideas', status: 'unavailable', reason: unavailable, target: IDEAS_TARGET, verdict: 'n/a', verdictNote: '', rows: [] };
  const owner = await host(ctx);
  const campaign = await owner.client.json<{ id: string; code: string }>('POST', `/api/communities/${owner.communityId}/campaigns`, { title: '小区金点子征集' });

  const organiser: Organiser = io(ctx.yishi.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.client.cookieHeader() }, reconnection: false, forceNew: true });
  const arrived = new Map<number, number>();
  organiser.on('idea:new', ({ idea }) => {
    const index = Number(/#(\d+)/.exec(idea.text)?.[1]);
    if (Number.isInteger(index) && !arrived.has(index)) arrived.set(index, clock());
  });
  try {
    await new Promise<void>((done, fail) => {
      organiser.once('connect', () => done());
      organiser.once('connect_error', fail);
    });
    const watch = await organiser.timeout(10_000).emitWithAck('campaign:watch', { campaignId: campaign.id });
    if (!watch.ok) throw new Error(`campaign:watch: ${watch.error.code}`);

    const requests: BurstRequest[] = [];
    for (let i = 0; i < count; i++) {
      const offsetMs = ((i + Math.random()) * seconds * 1000) / count;
      requests.push({
        index: i,
        offsetMs,
        method: 'POST',
        path: `/api/public/campaigns/${campaign.code}/ideas`,
        body: { text: `金点子 #${i}：${TEXTS[i % TEXTS.length]}`, building: `${(i % 20) + 1}号楼`, unit: `${(i % 30) + 101}` },
        keep: true,
      });
      if (i % 5 === 0) requests.push({ index: -1 - i, offsetMs: offsetMs + 1, method: 'GET', path: '/healthz' });
    }
    const sampler = new ResourceSampler(ctx.yishi.pid);
    const startAt = clock() + 300;
    const sent = await ctx.pool.each<BurstResult>((w) => ({ kind: 'http.burst', url: ctx.yishi.url, startAt, requests: requests.filter((_, i) => i % ctx.pool.size === w) }));
    const usage = sampler.stop();
    const records = sent.flatMap((r) => r?.records ?? []);
    const posts = records.filter((r) => r.index >= 0);
    const ok = posts.filter((r) => r.status === 201);
    // The organiser's list: wait (bounded) for the last pushes to arrive.
    const deadline = performance.now() + 10_000;
    while (arrived.size < ok.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const listed = await owner.client.json<{ id: string }[]>('GET', `/api/campaigns/${campaign.id}/ideas`);
    const listedIds = new Set(listed.map((i) => i.id));
    const lost = ok.filter((r) => !listedIds.has((r.json as { id: string }).id)).length;
    const extra = listed.length - ok.length;
    const live = ok.filter((r) => arrived.has(r.index)).map((r) => arrived.get(r.index)! - r.at);
    const liveMissing = ok.length - live.length;
    const submitLatency = summarize(ok.map((r) => r.ms));
    const baseline = summarize(records.filter((r) => r.index < 0 && r.status === 200).map((r) => r.ms));
    const liveLatency = summarize(live);
    const spanS = (Math.max(...posts.map((r) => r.at + r.ms)) - Math.min(...posts.map((r) => r.at))) / 1000;
    const refusedCodes = [...new Set(posts.filter((r) => r.status !== 201).map((r) => r.code))].slice(0, 3).join(', ');

    const notes: string[] = [];
    if (ok.length !== count) notes.push(`${ok.length}/${count} acknowledged (${refusedCodes})`);
    if (lost) notes.push(`${lost} lost`);
    if (extra > 0) notes.push(`${extra} stored that nobody was told about`);
    if (liveMissing) notes.push(`${liveMissing} never reached the organiser's list`);
    if (!(liveLatency.p99 <= LIVE_P99_MS)) notes.push(`live p99 ${liveLatency.p99} ms > ${LIVE_P99_MS} ms`);
    const ratio = Math.round((submitLatency.p99 / baseline.p99) * 100) / 100;
    return {
      scenario: 'ideas',
      status: 'ok',
      target: IDEAS_TARGET,
      verdict: notes.length ? 'missed' : 'met',
      verdictNote: notes.length ? notes.join('; ') : `${ok.length} ideas in ${Math.round(spanS)} s, all stored and live for the organiser (p99 ${liveLatency.p99} ms); submit p99 ${submitLatency.p99} ms (${ratio}× /healthz)`,
      rows: [
        { case: `${count} ideas in ${seconds} s`, server: 'yishi', latency: submitLatency, throughput: { value: Math.round(ok.length / spanS), unit: 'ideas/s' }, usage, extra: { acknowledged: ok.length, lost, extra: Math.max(0, extra), p99Ratio: ratio, ...(refusedCodes ? { refusedCodes } : {}) } },
        { case: '/healthz from the same clients', server: 'baseline', latency: baseline, extra: {} },
        { case: "organiser's live list (submit → idea:new)", server: 'yishi', latency: liveLatency, extra: { received: live.length, missing: liveMissing } },
      ],
    };
  } finally {
    organiser.close();
  }
}
