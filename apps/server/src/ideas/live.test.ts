import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { testDriver } from '@yishi/db/testing';
import type { IdeaDto, IdeasClientToServerEvents, IdeasServerToClientEvents } from '@yishi/model';
import { createSocketLayer } from '../live/socket.ts';
import { TestClient, createTestContext, listeningServer, meetingWithHost, signedUp, testAddress, type TestContext, socketClients } from '../testing.ts';

type Client = Socket<IdeasServerToClientEvents, IdeasClientToServerEvents>;

let ctx: TestContext;
let url: string;
let close: () => Promise<void>;
const { connect, sockets } = socketClients<Client>(() => url);

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [createSocketLayer()]);
  url = server.url;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await close();
  await ctx.dispose();
});


describe(`organisers' live list (${testDriver})`, () => {
  it('a watching admin gets every new idea as it arrives and a nudge on theme changes; others are refused', async () => {
    const { host, communityId } = await meetingWithHost(ctx.app);
    const campaign = (await host.client.post(`/api/communities/${communityId}/campaigns`, { title: '金点子' })).json;
    const organiser = await connect(host.client.cookieHeader());
    expect(await organiser.emitWithAck('campaign:watch', { campaignId: campaign.id })).toEqual({ ok: true });

    const arrived: IdeaDto[] = [];
    organiser.on('idea:new', ({ idea }) => arrived.push(idea));
    const changed = new Promise<string>((done) => organiser.once('ideas:changed', ({ campaignId }) => done(campaignId)));
    const receipts = await Promise.all(
      ['文明养宠', '规范停车', '清理楼道杂物'].map((text) => new TestClient(ctx.app, { 'x-forwarded-for': testAddress() }).post(`/api/public/campaigns/${campaign.code}/ideas`, { text, building: '3号楼' })),
    );
    await expect.poll(() => arrived.length).toBe(3);
    expect(arrived.map((i) => i.text).sort()).toEqual(['文明养宠', '清理楼道杂物', '规范停车'].sort());
    expect(arrived[0]!.building).toBe('3号楼');
    await host.client.post(`/api/campaigns/${campaign.id}/themes`, { title: '环境', ideaIds: [receipts[0]!.json.id] });
    expect(await changed).toBe(campaign.id);

    const stranger = await signedUp(ctx.app, '路人');
    const other = await connect(stranger.client.cookieHeader());
    const refused = await other.emitWithAck('campaign:watch', { campaignId: campaign.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const invalid = await other.emitWithAck('campaign:watch', { campaignId: 42 } as never);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    let leaked = 0;
    other.on('idea:new', () => leaked++);
    await new TestClient(ctx.app, { 'x-forwarded-for': testAddress() }).post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '第四条' });
    await expect.poll(() => arrived.length).toBe(4);
    expect(leaked).toBe(0);
  });
});
