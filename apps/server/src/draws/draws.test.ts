import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { count, eq } from 'drizzle-orm';
import { draws } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { computeDraw, DRAW_LIMITS, type DrawClientToServerEvents, type DrawDto, type DrawServerToClientEvents, type ClientToServerEvents } from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, TestClient, type TestContext, socketClients } from '../testing.ts';
import { createSocketLayer } from '../live/socket.ts';

type Client = Socket<DrawServerToClientEvents, DrawClientToServerEvents & ClientToServerEvents>;

let ctx: TestContext;
let url: string;
let close: () => Promise<void>;
const { connect, entered, sockets } = socketClients<Client>(() => url);

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [createSocketLayer({ rateLimit: { burst: 200, perSecond: 100 } })]);
  url = server.url;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await close();
  await ctx.dispose();
});



const drawCount = async (meetingId: string) => (await ctx.deps.db.select({ n: count() }).from(draws).where(eq(draws.meetingId, meetingId)))[0]!.n;

function nextDraw(socket: Client, until: (d: DrawDto) => boolean): Promise<DrawDto> {
  return new Promise((resolve) => {
    const listener = ({ draw }: { draw: DrawDto }) => {
      if (!until(draw)) return;
      socket.off('draw:state', listener);
      resolve(draw);
    };
    socket.on('draw:state', listener);
  });
}

// RFC 3797 section 6: its 25 volunteers, its seed, its answer.
const VOLUNTEERS = 'John Mary Bashful Dopey Sleepy Grouchy Doc Sneazy Handsome Cassandra Pollyanna Pendragon Pandora Faith Hope Charity Lee Longsuffering Chastity Smith Pride Sloth Envy Anger Kasczynski'.split(' ');
const RFC_RESULT = ['Lee', 'Doc', 'Mary', 'Charity', 'Kasczynski', 'Envy', 'Sneazy', 'Anger', 'Chastity', 'Pandora'];

describe(`draws by lot on ${testDriver}`, () => {
  it('announces a draw to the room, seeds it once, and publishes inputs, method and result to anyone', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const hostSocket = await entered(host.client, meeting.id);
    const guestSocket = await entered(guest.client, meeting.id);

    const announced = nextDraw(guestSocket, (d) => d.seed === null);
    const created = await hostSocket.emitWithAck('draw:create', {
      meetingId: meeting.id,
      title: ' 论坛场地抽签 ',
      entries: VOLUNTEERS.map((v) => ` ${v} `),
      winners: 10,
      seedSource: 'RFC 3797 第 6 节的三组公开数字',
    });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.draw).toMatchObject({ title: '论坛场地抽签', entries: VOLUNTEERS, winners: 10, seed: null, result: null, method: 'RFC 3797' });
    expect(await announced).toEqual(created.draw);

    // Public before the draw: the frozen list and the announced source, no result yet.
    const anyone = new TestClient(ctx.app);
    const before = await anyone.get(`/api/public/draws/${created.draw.id}`);
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ title: '论坛场地抽签', entries: VOLUNTEERS, winners: 10, seedSource: 'RFC 3797 第 6 节的三组公开数字', seed: null, result: null, method: 'RFC 3797', meetingTitle: '11月樓長有話說' });
    expect(before.json.meetingId).toBeUndefined();

    const drawn = nextDraw(guestSocket, (d) => d.seed !== null);
    const seed = '9319\n2 5 12 8 10\n9 18 26 34 41 45';
    const seeded = await hostSocket.emitWithAck('draw:seed', { drawId: created.draw.id, seed });
    if (!seeded.ok) throw new Error(seeded.error.message);
    expect(seeded.draw.result).toEqual(RFC_RESULT);
    expect(seeded.draw.key).toBe('9319./2.5.8.10.12./9.18.26.34.41.45./');
    expect(await drawn).toEqual(seeded.draw);

    const after = await anyone.get(`/api/public/draws/${created.draw.id}`);
    expect(after.json).toMatchObject({ seed, result: RFC_RESULT, method: 'RFC 3797' });
    // The published inputs give the published result with the model's own function.
    const recomputed = computeDraw(after.json.entries, after.json.winners, after.json.seed);
    expect(recomputed.ok && recomputed.draw.result).toEqual(after.json.result);
    expect(recomputed.ok && recomputed.draw.steps).toEqual(after.json.steps);

    // Reconnecting clients read the list.
    expect(await guestSocket.emitWithAck('draw:list', { meetingId: meeting.id })).toEqual({ ok: true, draws: [seeded.draw] });
    expect((await anyone.get('/api/public/draws/nosuchdraw')).status).toBe(404);
  });

  it('refuses bad input with a reason in the reader’s language and stores nothing', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const en = await entered(host.client, meeting.id, '', { 'accept-language': 'en' });
    const zhTW = await connect(`${host.client.cookieHeader()}; PARAGLIDE_LOCALE=zh-TW`);
    const zhCN = await entered(host.client, meeting.id);
    const good = { meetingId: meeting.id, title: '車位抽籤', entries: ['A1', 'A2', 'A3'], winners: 1, seedSource: '12月2日福彩3D' };
    const tooLarge = { ...good, entries: Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(4, '0')}${'楼'.repeat(17)}`) };
    const bytes = Buffer.byteLength(JSON.stringify(tooLarge));
    expect(bytes).toBeGreaterThan(DRAW_LIMITS.createBytes);
    expect(bytes).toBeLessThan(64 * 1024);

    const cases: [object, string, string?][] = [
      [{ ...good, entries: ['A1'] }, 'invalid_input', 'Please check: list of entries'],
      [{ ...good, entries: ['A1', '   '] }, 'invalid_input'],
      [{ ...good, entries: ['A1', 'x'.repeat(201)] }, 'invalid_input'],
      [{ ...good, entries: Array.from({ length: 1001 }, (_, i) => `${i}`) }, 'invalid_input'],
      [{ ...good, entries: ['A1', 'A2', ' A1'] }, 'duplicate_entry', '"A1" appears more than once in the list; please remove the duplicate.'],
      [{ ...good, winners: 0 }, 'invalid_input', 'Please check: number to draw'],
      [{ ...good, winners: 4 }, 'invalid_input', 'Please check: number to draw'],
      [{ ...good, winners: 1.5 }, 'invalid_input'],
      [{ ...good, seedSource: '' }, 'invalid_input', 'Please check: random source'],
      [{ ...good, seedSource: 's'.repeat(501) }, 'invalid_input'],
      [{ ...good, title: ' ' }, 'invalid_input', 'Please check: title'],
      // Over the event's own cap, under socket.io's packet cap (which would close the socket).
      [tooLarge, 'draw_too_large', 'The list is too long; please shorten the entries or use fewer.'],
    ];
    for (const [payload, code, message] of cases) {
      const ack = await en.emitWithAck('draw:create', payload as never);
      expect(ack, JSON.stringify(payload).slice(0, 80)).toMatchObject({ ok: false, error: { code } });
      if (message && !ack.ok) expect(ack.error.message).toBe(message);
    }
    expect(await zhCN.emitWithAck('draw:create', { ...good, entries: ['A1', 'A1'] })).toMatchObject({ error: { message: '抽签名单里“A1”出现了不止一次，请删去重复的一项。' } });
    expect(await zhTW.emitWithAck('draw:create', { ...good, winners: 9 })).toMatchObject({ error: { message: '輸入有誤，請檢查：抽出數量' } });
    expect(await drawCount(meeting.id)).toBe(0);

    // A list of 1000 short entries fits.
    const big = await en.emitWithAck('draw:create', { ...good, entries: Array.from({ length: 1000 }, (_, i) => `${Math.floor(i / 100) + 1}栋${(i % 100) + 101}`), winners: 1000 });
    expect(big.ok).toBe(true);

    // Seeds that cannot be read are refused and leave the draw unseeded.
    const created = await en.emitWithAck('draw:create', good);
    if (!created.ok) throw new Error(created.error.message);
    const drawId = created.draw.id;
    expect(await en.emitWithAck('draw:seed', { drawId, seed: '3291.75' })).toMatchObject({ error: { code: 'invalid_seed', message: expect.stringContaining('Cannot read "3291.75"') } });
    expect(await zhCN.emitWithAck('draw:seed', { drawId, seed: '12 三' })).toMatchObject({ error: { code: 'invalid_seed', message: expect.stringContaining('无法识别“三”') } });
    expect(await zhTW.emitWithAck('draw:seed', { drawId, seed: ' / ' })).toMatchObject({ error: { code: 'seed_empty', message: expect.stringContaining('沒有讀到數字') } });
    expect(await en.emitWithAck('draw:seed', { drawId, seed: '9'.repeat(19) })).toMatchObject({ error: { code: 'seed_too_large' } });
    expect(await en.emitWithAck('draw:seed', { drawId, seed: '' })).toMatchObject({ error: { code: 'invalid_input', message: 'Please check: random values' } });
    expect(await en.emitWithAck('draw:seed', { drawId: 'nosuchdraw', seed: '1' })).toMatchObject({ error: { code: 'not_found' } });
    const [row] = await ctx.deps.db.select().from(draws).where(eq(draws.id, drawId));
    expect(row).toMatchObject({ seed: null, key: null, steps: null, result: null, seededAt: null });
  });

  it('only the host or the secretary may create and seed; a seed is set once, also when two race', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '王樓長');
    const clerk = await joinedGuest(ctx.app, meeting.joinCode, '陳書記員');
    const outsider = await meetingWithHost(ctx.app);
    expect((await host.client.patch(`/api/meetings/${meeting.id}/participants/${clerk.userId}`, { role: 'secretary' })).status).toBe(200);
    const hostSocket = await entered(host.client, meeting.id);
    const guestSocket = await entered(guest.client, meeting.id);
    const clerkSocket = await entered(clerk.client, meeting.id);
    const outsiderSocket = await connect(outsider.host.client.cookieHeader());
    const body = { meetingId: meeting.id, title: '议事会场地', entries: ['活动室', '党群服务中心', '小区广场'], winners: 1, seedSource: '明晚体彩排列3' };

    expect(await guestSocket.emitWithAck('draw:create', body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsiderSocket.emitWithAck('draw:create', body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsiderSocket.emitWithAck('draw:list', { meetingId: meeting.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await drawCount(meeting.id)).toBe(0);
    const created = await clerkSocket.emitWithAck('draw:create', body);
    if (!created.ok) throw new Error(created.error.message);
    const drawId = created.draw.id;

    expect(await guestSocket.emitWithAck('draw:seed', { drawId, seed: '4 0 7' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outsiderSocket.emitWithAck('draw:seed', { drawId, seed: '4 0 7' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // Two facilitators type different values at the same moment: one is stored, the other refused.
    const [a, b] = await Promise.all([
      hostSocket.emitWithAck('draw:seed', { drawId, seed: '4 0 7' }),
      clerkSocket.emitWithAck('draw:seed', { drawId, seed: '9 9 1' }),
    ]);
    const acks = [a, b];
    expect(acks.filter((x) => x.ok)).toHaveLength(1);
    expect(acks.filter((x) => !x.ok)).toMatchObject([{ error: { code: 'draw_seeded' } }]);
    const winner = acks.find((x) => x.ok)!;
    if (!winner.ok) throw new Error('unreachable');
    const again = await hostSocket.emitWithAck('draw:seed', { drawId, seed: '1 2 3' });
    expect(again).toMatchObject({ ok: false, error: { code: 'draw_seeded', message: '这次抽签已经填入随机数、得出结果，不能再更改。' } });
    const [row] = await ctx.deps.db.select().from(draws).where(eq(draws.id, drawId));
    expect(row!.seed).toBe(winner.draw.seed);
    expect(row!.result).toEqual(winner.draw.result);
    const expected = computeDraw(body.entries, 1, winner.draw.seed!);
    expect(expected.ok && expected.draw.result).toEqual(row!.result);
  });

  it('takes no new draw once the meeting ended, but the announced seed may come later (the next day’s lottery)', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const socket = await entered(host.client, meeting.id);
    const body = { meetingId: meeting.id, title: '车位抽签', entries: ['1号', '2号', '3号', '4号'], winners: 2, seedSource: '次日福彩3D' };
    const created = await socket.emitWithAck('draw:create', body);
    if (!created.ok) throw new Error(created.error.message);
    expect((await host.client.post(`/api/meetings/${meeting.id}/start`)).status).toBe(200);
    expect((await host.client.post(`/api/meetings/${meeting.id}/end`, {})).status).toBe(200);
    expect(await socket.emitWithAck('draw:create', body)).toMatchObject({ ok: false, error: { code: 'meeting_ended' } });
    const seeded = await socket.emitWithAck('draw:seed', { drawId: created.draw.id, seed: '5 1 8' });
    expect(seeded).toMatchObject({ ok: true, draw: { seed: '5 1 8' } });
    expect(await drawCount(meeting.id)).toBe(1);
  });
});
