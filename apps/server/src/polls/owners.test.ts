import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { pollBallots, pollUnits } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import type { MeetingUnitsDto, OwnersResult, PollDto } from '@yishi/model';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, REGISTER, socketClients, type TestContext, type TestSocket } from '../testing.ts';
import { createSocketLayer } from '../live/socket.ts';

let ctx: TestContext;
let clients: ReturnType<typeof socketClients<TestSocket>>;
let close: () => Promise<void>;

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, [createSocketLayer({ ballots: { windowMs: 20, maxBatch: 64 } })]);
  clients = socketClients(server.url);
  close = () => server.yishi.close();
});
afterAll(async () => {
  clients.closeAll();
  await close();
  await ctx.dispose();
});


async function ownersMeeting() {
  const { host, meeting, communityId } = await meetingWithHost(ctx.app);
  expect((await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: REGISTER })).status).toBe(200);
  const register = (await host.client.get(`/api/meetings/${meeting.id}/units`)).json as MeetingUnitsDto;
  const unit = (label: string) => register.units.find((u) => u.label === label)!.id;
  const zhang = await joinedGuest(ctx.app, meeting.joinCode, '张阿姨');
  const proxy = await joinedGuest(ctx.app, meeting.joinCode, '小李（受李先生委托）');
  const wang = await joinedGuest(ctx.app, meeting.joinCode, '王师傅');
  const bind = (userId: string, body: unknown) => host.client.patch(`/api/meetings/${meeting.id}/participants/${userId}`, body);
  return { host, meeting, register, unit, zhang, proxy, wang, bind };
}

describe(`owners' straw polls, double count, over socket.io on ${testDriver}`, () => {
  it('binds units at check-in, one person per unit and per owner; the worked example passes as ordinary; paper and online never count a unit twice', async () => {
    const { host, meeting, register, unit, zhang, proxy, wang, bind } = await ownersMeeting();
    expect(register).toMatchObject({ totalArea: 60950, heads: 4 });

    // Check-in: 张 her unit, 小李 his principal's by proxy, 王 both of his.
    expect((await bind(zhang.userId, { units: [unit('1-101')] })).json.units).toEqual([{ id: unit('1-101'), label: '1-101', proxy: false }]);
    expect((await bind(proxy.userId, { units: [unit('1-102')], proxy: [unit('1-102')] })).json.units).toEqual([{ id: unit('1-102'), label: '1-102', proxy: true }]);
    expect((await bind(wang.userId, { units: [unit('1-201'), unit('1-202')] })).status).toBe(200);

    // A unit of someone already represented — even another unit of the same owner — is refused, in words.
    const taken = await bind(zhang.userId, { units: [unit('1-101'), unit('1-202')] });
    expect(taken).toMatchObject({ status: 409, json: { error: { code: 'unit_taken' } } });
    expect(taken.json.error.message).toContain('1-202');
    expect(taken.json.error.message).toContain('王师傅');
    // …and changes nothing.
    expect((await host.client.get(`/api/meetings/${meeting.id}/participants`)).json.find((p: { userId: string }) => p.userId === zhang.userId).units).toEqual([
      { id: unit('1-101'), label: '1-101', proxy: false },
    ]);
    expect((await bind(zhang.userId, { units: ['nope'] })).json.error.code).toBe('unit_not_in_register');
    expect((await bind(zhang.userId, { units: [unit('1-101')], role: 'secretary' })).json.error.code).toBe('invalid_input');
    expect((await bind(zhang.userId, { proxy: [unit('1-101')] })).status).toBe(400);
    // A participant cannot bind units, not even their own.
    expect((await zhang.client.patch(`/api/meetings/${meeting.id}/participants/${zhang.userId}`, { units: [unit('2-101')] })).status).toBe(403);
    expect((await zhang.client.get(`/api/meetings/${meeting.id}/units`)).status).toBe(403);

    const hostSocket = await clients.entered(host.client, meeting.id);
    const [z, p, w] = (await Promise.all([zhang, proxy, wang].map((g) => clients.entered(g.client, meeting.id)))) as [TestSocket, TestSocket, TestSocket];

    const base = { meetingId: meeting.id, kind: 'owners' as const, title: '是否在小区东门加装道闸（摸底）', secret: true };
    expect(await hostSocket.emitWithAck('poll:create', base)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await hostSocket.emitWithAck('poll:create', { ...base, matter: 'ordinary', options: ['a', 'b'] })).toMatchObject({ ok: false });
    expect(await hostSocket.emitWithAck('poll:create', { ...base, kind: 'motion', matter: 'major' })).toMatchObject({ ok: false });
    const created = await hostSocket.emitWithAck('poll:create', { ...base, matter: 'ordinary' });
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect(created.poll).toMatchObject({ kind: 'owners', matter: 'ordinary', options: [{ id: 'yes' }, { id: 'no' }, { id: 'abstain' }] });
    const pollId = created.poll.id;
    // Three owners' representatives: a small secret group, the host confirms.
    expect(await hostSocket.emitWithAck('poll:open', { pollId })).toMatchObject({ ok: false, error: { code: 'small_group_confirm' } });
    const opened = await hostSocket.emitWithAck('poll:open', { pollId, confirmSmallGroup: true });
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    // The host represents no unit: three voters, the register's totals fixed.
    expect(opened.poll).toMatchObject({ status: 'open', turnout: { voted: 0, eligible: 3 }, register: { totalArea: 60950, totalHeads: 4 }, paperBallots: 0 });

    // Each voter sees what their ballot covers.
    const mine = await w.emitWithAck('poll:list', { meetingId: meeting.id });
    if (!mine.ok) throw new Error(JSON.stringify(mine));
    expect(mine.mine[pollId]!.represents).toEqual({ units: ['1-201', '1-202'], area: 20975, heads: 1 });
    const hostMine = await hostSocket.emitWithAck('poll:list', { meetingId: meeting.id });
    expect(hostMine.ok && hostMine.mine[pollId]).toEqual({ eligible: false, voted: false });

    expect(await hostSocket.emitWithAck('poll:vote', { pollId, choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'not_eligible' } });
    expect(await z.emitWithAck('poll:vote', { pollId, choice: 'o1' })).toMatchObject({ ok: false, error: { code: 'invalid_choice' } });
    for (const [socket, choice] of [[z, 'yes'], [p, 'no'], [w, 'yes']] as const) expect(await socket.emitWithAck('poll:vote', { pollId, choice })).toMatchObject({ ok: true });
    expect(await w.emitWithAck('poll:vote', { pollId, choice: 'no' })).toMatchObject({ ok: false, error: { code: 'already_voted' } });

    // While open, the ballots are sealed: no choice, no weight, no voter in the rows.
    const sealed = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    expect(sealed).toHaveLength(3);
    expect(sealed.every((b) => b.choice === null && b.sealed !== null && b.voterId === null)).toBe(true);
    expect(new Set(sealed.map((b) => b.sealed!.length)).size).toBe(1);

    // Paper: not for a unit whose owner votes on a tablet; not by a participant.
    expect(await hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('1-202'), choice: 'no' })).toMatchObject({ ok: false, error: { code: 'unit_online' } });
    expect(await z.emitWithAck('poll:paper', { pollId, unitId: unit('2-101'), choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const units = await hostSocket.emitWithAck('poll:units', { pollId });
    if (!units.ok) throw new Error(JSON.stringify(units));
    expect(units.units.filter((u) => u.state === 'online').map((u) => [u.label, u.by, u.proxy])).toEqual([
      ['1-101', '张阿姨', false],
      ['1-102', '小李（受李先生委托）', true],
      ['1-201', '王师傅', false],
      ['1-202', '王师傅', false],
    ]);
    expect(units.units.filter((u) => u.state === 'open').map((u) => u.label)).toEqual(['2-101', '2-102']);

    const closing = await hostSocket.emitWithAck('poll:close', { pollId });
    if (!closing.ok) throw new Error(JSON.stringify(closing));
    const result = closing.poll.result as OwnersResult;
    // DOMAIN.md: participation 419.50 / 609.50 and 3 / 4; yes 299.25 and 2 / 3; an ordinary matter passes.
    expect(result).toMatchObject({
      matter: 'ordinary',
      area: { yes: 29925, no: 12025, abstain: 0, participating: 41950, total: 60950 },
      heads: { yes: 2, no: 1, abstain: 0, participating: 3, total: 4 },
      participationMet: true,
      passed: true,
      paper: 0,
    });
    expect(closing.poll.receipts).toHaveLength(3);
    // Closed: the stored ballots carry the weight, never who.
    const open = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    const weights = open.map((b) => b.choice as { choice: string; area: number });
    expect(weights.sort((a, b) => a.choice.localeCompare(b.choice) || a.area - b.area)).toEqual([
      { choice: 'no', area: 12025, heads: 1, paper: false },
      { choice: 'yes', area: 8950, heads: 1, paper: false },
      { choice: 'yes', area: 20975, heads: 1, paper: false },
    ]);
    expect(open.every((b) => b.voterId === null)).toBe(true);
    expect(await hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('2-101'), choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'poll_not_open' } });
  });

  it('a major matter with the developer on paper: one paper ballot covers all unsold units as one person, and a unit never votes twice', async () => {
    const { host, meeting, unit, zhang, proxy, wang, bind } = await ownersMeeting();
    await bind(zhang.userId, { units: [unit('1-101')] });
    await bind(proxy.userId, { units: [unit('1-102')], proxy: [unit('1-102')] });
    // 王 is bound to one of his units: his ballot still covers both (one owner is one person).
    await bind(wang.userId, { units: [unit('1-201')] });
    const hostSocket = await clients.entered(host.client, meeting.id);
    const [z, p, w] = (await Promise.all([zhang, proxy, wang].map((g) => clients.entered(g.client, meeting.id)))) as [TestSocket, TestSocket, TestSocket];
    const motion = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'motion', title: '普通动议', secret: false });
    if (!motion.ok) throw new Error(JSON.stringify(motion));
    await hostSocket.emitWithAck('poll:open', { pollId: motion.poll.id });
    expect(await hostSocket.emitWithAck('poll:paper', { pollId: motion.poll.id, unitId: unit('2-101'), choice: 'yes' })).toMatchObject({ ok: false, error: { code: 'not_owners_poll' } });

    const created = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'owners', title: '使用维修资金更换电梯（摸底）', matter: 'major', secret: false });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const pollId = created.poll.id;
    await hostSocket.emitWithAck('poll:open', { pollId });
    const states: PollDto[] = [];
    z.on('poll:state', ({ poll }) => poll.id === pollId && states.push(poll));

    // Two paper entries for one person at once (two secretaries, 2-101 and 2-102): exactly one goes in.
    const both = await Promise.all([
      hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('2-102'), choice: 'yes' }),
      hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('2-101'), choice: 'no' }),
    ]);
    expect(both.filter((a) => a.ok)).toHaveLength(1);
    expect(both.find((a) => !a.ok)).toMatchObject({ error: { code: 'unit_voted' } });
    const paper = both.find((a) => a.ok)!;
    if (!paper.ok) throw new Error(JSON.stringify(paper));
    expect(paper.units).toEqual(['2-101', '2-102']);
    expect(paper.receipt).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(paper.poll.paperBallots).toBe(1);
    expect(await hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('2-101'), choice: 'no' })).toMatchObject({ ok: false, error: { code: 'unit_voted' } });
    expect(await hostSocket.emitWithAck('poll:paper', { pollId, unitId: 'nope', choice: 'no' })).toMatchObject({ ok: false, error: { code: 'unit_not_in_register' } });
    expect(await hostSocket.emitWithAck('poll:paper', { pollId, unitId: unit('1-202'), choice: 'no' })).toMatchObject({ ok: false, error: { code: 'unit_online' } });
    const paperRows = async () => (await ctx.deps.db.select().from(pollUnits).where(eq(pollUnits.pollId, pollId))).filter((u) => u.paper).length;
    expect(await paperRows()).toBe(2);

    for (const [socket, choice] of [[z, 'yes'], [p, 'yes'], [w, 'abstain']] as const) expect(await socket.emitWithAck('poll:vote', { pollId, choice })).toMatchObject({ ok: true });
    const paperChoice = both.findIndex((a) => a.ok) === 0 ? 'yes' : 'no';
    const closing = await hostSocket.emitWithAck('poll:close', { pollId });
    if (!closing.ok) throw new Error(JSON.stringify(closing));
    const result = closing.poll.result as OwnersResult & { votes: { name: string; choice: string }[] };
    // Everyone took part: yes 400.25 of 609.50 m² (65.7 %) and 3 of 4 heads — short of 3/4 of the area.
    const dev = paperChoice === 'yes';
    expect(result).toMatchObject({
      area: { yes: 8950 + 12025 + (dev ? 19000 : 0), no: dev ? 0 : 19000, abstain: 20975, participating: 60950, total: 60950 },
      heads: { yes: dev ? 3 : 2, no: dev ? 0 : 1, abstain: 1, participating: 4, total: 4 },
      participationMet: true,
      passed: false,
      paper: 1,
    });
    // A named poll lists who chose what (the paper ballot has no name), never the weights.
    expect(result.votes.map((v) => [v.name, v.choice]).sort()).toEqual([
      ['小李（受李先生委托）', 'yes'],
      ['张阿姨', 'yes'],
      ['王师傅', 'abstain'],
    ]);
    expect(states.some((s) => s.paperBallots === 1)).toBe(true);
  });

  it('refuses an owners poll where the register is empty', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const hostSocket = await clients.entered(host.client, meeting.id);
    const created = await hostSocket.emitWithAck('poll:create', { meetingId: meeting.id, kind: 'owners', title: '摸底', matter: 'ordinary', secret: false });
    if (!created.ok) throw new Error(JSON.stringify(created));
    expect(await hostSocket.emitWithAck('poll:open', { pollId: created.poll.id })).toMatchObject({ ok: false, error: { code: 'owners_register_empty' } });
    const again = await hostSocket.emitWithAck('poll:list', { meetingId: meeting.id });
    expect(again.ok && again.polls[0]!.status).toBe('draft');
  });
});
