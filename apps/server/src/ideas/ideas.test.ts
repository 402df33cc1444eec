import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { testDriver } from '@yishi/db/testing';
import { LIMITS, Limits } from '../limits.ts';
import { IDEA_LIMITS, readAgenda } from '@yishi/model';
import { MAX_PHOTO_SIDE, reencodePhoto } from './photos.ts';
import { REGISTER, TestClient, createTestContext, meetingWithHost, signedUp, testAddress, type TestContext } from '../testing.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  // Small public limits, so that throttling is reached in a test (the real numbers: limits.ts).
  ctx.deps.limits = new Limits(ctx.deps.database.db, {
    ...LIMITS,
    'idea.address': { points: 5, duration: 60 },
    'household.guess': { points: 3, duration: 60 },
    'receipt.guess': { points: 3, duration: 60 },
    'answer.address': { points: 6, duration: 60 },
  });
});
afterAll(() => ctx.dispose());

/** A resident's phone: no account, an address of its own (or a shared one, for the NAT cases). */
const phone = (address = testAddress()) => new TestClient(ctx.app, { 'x-forwarded-for': address });

async function campaignSetup() {
  const { host, communityId, meeting } = await meetingWithHost(ctx.app);
  const created = await host.client.post(`/api/communities/${communityId}/campaigns`, { title: '小区金点子征集' });
  expect(created.status).toBe(201);
  return { host, communityId, meeting, campaign: created.json as { id: string; code: string; url: string } };
}

const PERSONAL = ['3号楼', '1201', '李书记', '王阿姨'];
function expectNoPersonalData(json: unknown) {
  const text = JSON.stringify(json);
  for (const word of PERSONAL) expect(text).not.toContain(word);
}

describe(`idea campaigns (${testDriver})`, () => {
  it('an admin opens a campaign: a short code and the link the QR code holds; others may not', async () => {
    const { campaign, communityId } = await campaignSetup();
    expect(campaign.code).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(campaign.url).toBe(`http://yishi.test/i/${campaign.code}`);
    expect((await phone().post(`/api/communities/${communityId}/campaigns`, { title: 'x' })).status).toBe(401);
    const stranger = await signedUp(ctx.app, '路人');
    expect((await stranger.client.post(`/api/communities/${communityId}/campaigns`, { title: 'x' })).status).toBe(403);
    expect((await stranger.client.get(`/api/campaigns/${campaign.id}/ideas`)).status).toBe(403);
    const bad = await (await signedUp(ctx.app)).client.post(`/api/communities/nope/campaigns`, { title: '' });
    expect(bad.status).toBe(400);
  });

  it('a resident submits an idea without an account and follows it by receipt; text is kept as text', async () => {
    const { host, campaign } = await campaignSetup();
    const resident = phone();
    const res = await resident.post(`/api/public/campaigns/${campaign.code.toLowerCase()}/ideas`, { text: '  <b>楼道</b>杂物太多\r\n请清理  ', building: '3号楼', unit: '1201' });
    expect(res.status).toBe(201);
    expect(res.json.receipt).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
    const list = await host.client.get(`/api/campaigns/${campaign.id}/ideas`);
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toContain('no-store');
    expect(list.json).toEqual([expect.objectContaining({ text: '<b>楼道</b>杂物太多\n请清理', building: '3号楼', unit: '1201', source: 'online', themeId: null })]);
    const receipt = await resident.get(`/api/public/ideas/${res.json.receipt}`);
    expect(receipt.status).toBe(200);
    expect(receipt.json).toMatchObject({ text: '<b>楼道</b>杂物太多\n请清理', theme: null, status: 'collected' });
    expect(JSON.stringify(receipt.json)).not.toContain('3号楼');
    expect(JSON.stringify(receipt.json)).not.toContain('1201');
  });

  it('bad input answers 400 naming the field and stores nothing; unknown codes 404; closed campaigns 409', async () => {
    const { host, campaign, communityId } = await campaignSetup();
    for (const body of [{ text: '' }, { text: '   ' }, { text: 'x'.repeat(501) }, { text: 5 }, { text: 'ok', building: 'x'.repeat(25) }, []]) {
      const res = await phone().post(`/api/public/campaigns/${campaign.code}/ideas`, body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
    }
    expect((await phone().post(`/api/public/campaigns/${campaign.code}/ideas`, '{"text":')).status).toBe(400);
    expect((await host.client.get(`/api/campaigns/${campaign.id}/ideas`)).json).toEqual([]);
    expect((await phone().post('/api/public/campaigns/ZZZZZZ/ideas', { text: '停车' })).status).toBe(404);
    expect((await phone().get('/api/public/campaigns/%00')).status).toBe(404);
    const closed = await host.client.post(`/api/communities/${communityId}/campaigns`, { title: '已截止', closesAt: '2020-01-01T00:00:00+08:00' });
    const late = await phone().post(`/api/public/campaigns/${closed.json.code}/ideas`, { text: '停车' });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('campaign_closed');
    expect(late.json.error.message).toContain('截止');
  });

  it('one address is throttled after its window of ideas (429 with Retry-After); another address is not', async () => {
    const { campaign } = await campaignSetup();
    const shared = testAddress();
    for (let i = 0; i < 5; i++) expect((await phone(shared).post(`/api/public/campaigns/${campaign.code}/ideas`, { text: `意见${i}` })).status).toBe(201);
    const refused = await phone(shared).post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '第六条' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await phone().post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '别的住户' })).status).toBe(201);
  });

  it('a volunteer types in paper slips, marked as paper and collected by them', async () => {
    const { host, campaign } = await campaignSetup();
    const res = await host.client.post(`/api/campaigns/${campaign.id}/ideas`, {
      collectedBy: '志愿者小周',
      ideas: [{ text: '规范停车', building: '5栋' }, { text: '文明养宠' }, { text: '清理楼道杂物', unit: '301' }],
    });
    expect(res.status).toBe(201);
    expect(res.json.ideas).toHaveLength(3);
    const list = (await host.client.get(`/api/campaigns/${campaign.id}/ideas`)).json as { source: string; collectedBy: string }[];
    expect(list.map((i) => [i.source, i.collectedBy])).toEqual(Array(3).fill(['paper', '志愿者小周']));
    expect((await host.client.get(`/api/campaigns/${campaign.id}/ideas?q=${encodeURIComponent('停车')}`)).json).toHaveLength(1);
    expect((await host.client.get(`/api/campaigns/${campaign.id}/ideas?building=${encodeURIComponent('5栋')}`)).json).toHaveLength(1);
    expect((await host.client.post(`/api/campaigns/${campaign.id}/ideas`, { collectedBy: '', ideas: [{ text: 'x' }] })).status).toBe(400);
    expect((await host.client.post(`/api/campaigns/${campaign.id}/ideas`, { collectedBy: 'a', ideas: [] })).status).toBe(400);
  });
});

describe(`themes: merge, split, undo (${testDriver})`, () => {
  it('merges ideas into a theme and undoes one merge; nothing is lost and the history stays', async () => {
    const { host, campaign } = await campaignSetup();
    const added = await host.client.post(`/api/campaigns/${campaign.id}/ideas`, {
      collectedBy: '志愿者小周',
      ideas: [{ text: '狗不拴绳' }, { text: '宠物粪便没人清' }, { text: '电动车乱停' }],
    });
    const [a, b, c] = (added.json.ideas as { id: string }[]).map((i) => i.id);
    const theme = await host.client.post(`/api/campaigns/${campaign.id}/themes`, { title: '文明养宠', category: '环境', ideaIds: [a] });
    expect(theme.status).toBe(201);
    const merge = await host.client.post(`/api/campaigns/${campaign.id}/moves`, { ideaIds: [b, c], themeId: theme.json.id });
    expect(merge.status).toBe(201);
    let ideas = (await host.client.get(`/api/campaigns/${campaign.id}/ideas`)).json as { id: string; themeId: string | null }[];
    expect(ideas.filter((i) => i.themeId === theme.json.id)).toHaveLength(3);

    const undo = await host.client.post(`/api/moves/${merge.json.moveId}/undo`);
    expect(undo.status).toBe(200);
    ideas = (await host.client.get(`/api/campaigns/${campaign.id}/ideas`)).json;
    expect(ideas.map((i) => i.themeId)).toEqual([theme.json.id, null, null]);
    const again = await host.client.post(`/api/moves/${merge.json.moveId}/undo`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('move_undone');

    const detail = await host.client.get(`/api/campaigns/${campaign.id}`);
    expect(detail.json.themesList).toEqual([expect.objectContaining({ title: '文明养宠', category: '环境', ideas: 1, status: 'collected' })]);
    expect(detail.json.moves.map((m: { undoneAt: string | null }) => Boolean(m.undoneAt))).toEqual([true, false]);

    // Split: a new theme takes one idea; undoing the first merge then would discard that work.
    const split = await host.client.post(`/api/campaigns/${campaign.id}/themes`, { title: '规范停车', ideaIds: [c] });
    const merge2 = await host.client.post(`/api/campaigns/${campaign.id}/moves`, { ideaIds: [b], themeId: theme.json.id });
    await host.client.post(`/api/campaigns/${campaign.id}/moves`, { ideaIds: [b], themeId: split.json.id });
    const stale = await host.client.post(`/api/moves/${merge2.json.moveId}/undo`);
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('move_superseded');
  });

  it('refuses ideas or themes of another campaign and unknown ids', async () => {
    const one = await campaignSetup();
    const other = await campaignSetup();
    const idea = await phone().post(`/api/public/campaigns/${other.campaign.code}/ideas`, { text: '别处的意见' });
    const res = await one.host.client.post(`/api/campaigns/${one.campaign.id}/themes`, { title: 't', ideaIds: [idea.json.id] });
    expect(res.status).toBe(400);
    const theme = await other.host.client.post(`/api/campaigns/${other.campaign.id}/themes`, { title: '别处' });
    expect((await one.host.client.post(`/api/campaigns/${one.campaign.id}/moves`, { ideaIds: ['x'], themeId: theme.json.id })).status).toBe(400);
    expect((await one.host.client.post('/api/moves/nope/undo')).status).toBe(404);
    expect((await other.host.client.post(`/api/moves/nope/undo`)).status).toBe(404);
  });
});

describe(`themes become agenda items; follow-ups close the path (${testDriver})`, () => {
  it('carries the ideas into the meeting document; the public pages show the status and no personal data', async () => {
    const { host, campaign, meeting, communityId } = await campaignSetup();
    const resident = phone();
    const mine = await resident.post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '楼道堆满纸箱', building: '3号楼', unit: '1201' });
    const paper = await host.client.post(`/api/campaigns/${campaign.id}/ideas`, { collectedBy: '王阿姨', ideas: [{ text: '消防通道被占' }] });
    const theme = await host.client.post(`/api/campaigns/${campaign.id}/themes`, { title: '清理楼道杂物', ideaIds: [mine.json.id, paper.json.ideas[0].id] });

    const placed = await host.client.post(`/api/campaigns/${campaign.id}/agenda`, { meetingId: meeting.id, themeIds: [theme.json.id] });
    expect(placed.status).toBe(200);
    const itemId = placed.json.items[0].agendaItemId as string;
    const doc = await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, (d) => readAgenda(d));
    const item = doc.items.find((i) => i.id === itemId)!;
    expect(item.title).toBe('清理楼道杂物');
    const notes = item.notesText;
    expect(notes).toContain('2 条居民意见');
    expect(notes).toContain('楼道堆满纸箱');
    expect(notes).toContain('消防通道被占');
    // Sending it again adds nothing.
    await host.client.post(`/api/campaigns/${campaign.id}/agenda`, { meetingId: meeting.id, themeIds: [theme.json.id] });
    const twice = await ctx.deps.editDoc(meeting.id, { kind: 'building-talk' }, (d) => readAgenda(d));
    expect(twice.items.filter((i) => i.title === '清理楼道杂物')).toHaveLength(1);

    expect((await resident.get(`/api/public/ideas/${mine.json.receipt}`)).json.status).toBe('discussed');
    const fu = await host.client.post(`/api/meetings/${meeting.id}/follow-ups`, { title: '物业周五前清理楼道', ownerAffiliation: 'property', agendaItemId: itemId, dueDate: '2030-01-31' });
    expect(fu.status).toBe(201);
    let receipt = (await resident.get(`/api/public/ideas/${mine.json.receipt}`)).json;
    expect(receipt.status).toBe('in-progress');
    await host.client.patch(`/api/follow-ups/${fu.json.id}`, { status: 'done' });
    receipt = (await resident.get(`/api/public/ideas/${mine.json.receipt}`)).json;
    expect(receipt).toMatchObject({ status: 'done', theme: { title: '清理楼道杂物', status: 'done', meetingTitle: '11月樓長有話說' } });
    expect(receipt.steps.map((s: { at: string | null }) => s.at !== null)).toEqual([true, true, true, true]);

    const pub = await phone().get(`/api/public/campaigns/${campaign.code}`);
    expect(pub.json).toMatchObject({ title: '小区金点子征集', themes: [{ title: '清理楼道杂物', ideas: 2, status: 'done' }] });
    const board = await phone().get(`/api/public/communities/${communityId}/campaigns`);
    expect(board.json.campaigns[0].themes[0]).toMatchObject({ title: '清理楼道杂物', status: 'done' });
    for (const json of [pub.json, board.json, receipt]) expectNoPersonalData(json);
    expect(JSON.stringify(pub.json)).not.toContain('楼道堆满纸箱');
  });

  it('only a facilitator of a meeting of the same community may place themes on its agenda', async () => {
    const { host, campaign } = await campaignSetup();
    const theme = await host.client.post(`/api/campaigns/${campaign.id}/themes`, { title: '规范停车' });
    const elsewhere = await meetingWithHost(ctx.app);
    expect((await host.client.post(`/api/campaigns/${campaign.id}/agenda`, { meetingId: elsewhere.meeting.id, themeIds: [theme.json.id] })).status).toBe(403);
    expect((await elsewhere.host.client.post(`/api/campaigns/${campaign.id}/agenda`, { meetingId: elsewhere.meeting.id, themeIds: [theme.json.id] })).status).toBe(403);
  });

  it('wrong receipts are throttled per address; right ones never count', async () => {
    const { campaign } = await campaignSetup();
    const address = testAddress();
    const mine = await phone().post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '路灯坏了' });
    for (let i = 0; i < 6; i++) expect((await phone(address).get(`/api/public/ideas/${mine.json.receipt}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await phone(address).get('/api/public/ideas/AAAAAAAAAA')).status).toBe(404);
    expect((await phone(address).get('/api/public/ideas/AAAAAAAAAA')).status).toBe(429);
  });
});


describe(`unit register (${testDriver})`, () => {
  it('takes JSON or CSV, answers total area (hundredths) and heads, keeps unit ids across edits', async () => {
    const { host, communityId } = await campaignSetup();
    const put = await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: REGISTER });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ units: 6, totalArea: 60950, heads: 4 });
    const before = (await host.client.get(`/api/communities/${communityId}/units`)).json;
    expect(before.units[0]).toMatchObject({ building: '1', unit: '101', area: '89.50', owners: ['张'], developer: false });
    const csv = '楼栋,房号,面积,业主,开发商\n1,101,89.5,张,\n1,102,120.25,李,\n3,101,,,\n';
    const again = await host.client.request('PUT', `/api/communities/${communityId}/units`, csv, { 'content-type': 'text/csv; charset=utf-8' });
    expect(again.json).toEqual({ units: 3, totalArea: 20975, heads: 3 });
    const after = (await host.client.get(`/api/communities/${communityId}/units`)).json;
    expect(after.units[0].id).toBe(before.units[0].id);
    expect(after.units[2]).toMatchObject({ building: '3', unit: '101', area: null });
    // The same file as Excel on a Chinese Windows saves it (GBK), and an empty one that would wipe the register.
    const gbk = await ctx.app.request(`/api/communities/${communityId}/units`, {
      method: 'PUT',
      headers: { cookie: host.client.cookieHeader(), 'content-type': 'text/csv' },
      body: new Uint8Array(Buffer.from('c2a5b6b02cb7bfbac52cc3e6bbfd2cd2b5d6f70a312c3130312c38392e352cd5c50a', 'hex')),
    });
    expect(await gbk.json()).toEqual({ units: 1, totalArea: 8950, heads: 1 });
    expect((await host.client.get(`/api/communities/${communityId}/units`)).json.units[0]).toMatchObject({ building: '1', unit: '101', owners: ['张'] });
    const empty = await host.client.request('PUT', `/api/communities/${communityId}/units`, '楼栋,房号,面积,业主\n', { 'content-type': 'text/csv' });
    expect(empty.status).toBe(400);
    expect((await host.client.get(`/api/communities/${communityId}/units`)).json.units).toHaveLength(1);
  });

  it('answers 400 with every bad row and changes nothing', async () => {
    const { host, communityId } = await campaignSetup();
    await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: REGISTER });
    const bad = await host.client.request('PUT', `/api/communities/${communityId}/units`, '楼栋,房号,面积\n1,101,89.505\n1,,3\n1,102,1\n1号楼,102室,2\n', { 'content-type': 'text/csv' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_units');
    expect(bad.json.error.message).toContain('3 行');
    expect(bad.json.error.rows).toEqual([
      { row: 2, field: 'area', reason: 'not_a_decimal' },
      { row: 3, field: 'unit', reason: 'missing' },
      { row: 5, field: 'unit', reason: 'duplicate' },
    ]);
    const json = await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: [{ building: '1', unit: '1', area: 89.5 }] });
    expect(json.status).toBe(400);
    expect(json.json.error.rows).toEqual([{ row: 1, field: 'area', reason: 'missing' }]);
    expect((await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: 'x' })).status).toBe(400);
    expect((await host.client.get(`/api/communities/${communityId}/units`)).json.units).toHaveLength(6);
    expect((await phone().get(`/api/communities/${communityId}/units`)).status).toBe(401);
  });
});

describe(`ranking rounds (${testDriver})`, () => {
  async function roundWithCodes(method: 'borda' | 'pairwise' = 'borda') {
    const setup = await campaignSetup();
    await setup.host.client.request('PUT', `/api/communities/${setup.communityId}/units`, { units: REGISTER });
    const round = await setup.host.client.post(`/api/campaigns/${setup.campaign.id}/rounds`, { title: '21个项目排序', method, households: 'codes', projects: ['加装电梯', '更换路灯', '修缮车棚'] });
    expect(round.status).toBe(201);
    const codes = await setup.host.client.post(`/api/rounds/${round.json.id}/codes`);
    expect(codes.status).toBe(200);
    return { ...setup, round: round.json as { id: string; items: { id: string }[] }, codes: codes.json as { code: string; building: string; unit: string; unitId: string }[] };
  }

  it('one household answering twice counts once; its later answer counts; paper counts the same and is marked', async () => {
    const { host, round, codes } = await roundWithCodes();
    expect(codes).toHaveLength(6);
    const [lift, lights, sheds] = round.items.map((i) => i.id);
    const estate = testAddress();
    const first = await phone(estate).post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code.toLowerCase(), ranking: [lift, lights, sheds] });
    expect(first.status).toBe(201);
    expect(first.json.replaced).toBe(false);
    const second = await phone(estate).post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code, ranking: [sheds, lights, lift] });
    expect(second.json.replaced).toBe(true);
    await phone(estate).post(`/api/public/rounds/${round.id}/answers`, { code: codes[4]!.code, ranking: [lights] });
    const paper = await host.client.post(`/api/rounds/${round.id}/answers`, { code: codes[2]!.code, ranking: [lights, lift, sheds], collectedBy: '志愿者小周' });
    expect(paper.status).toBe(201);
    const result = (await host.client.get(`/api/rounds/${round.id}/result`)).json;
    expect(result.eligible).toBe(6);
    expect(result.result).toMatchObject({ households: 3, online: 2, paper: 1, scores: { [sheds!]: 2, [lights!]: 5, [lift!]: 1 }, order: [lights, sheds, lift] });
    expect(result.result.byBuilding.map((b: { building: string; tally: { households: number } }) => [b.building, b.tally.households])).toEqual([['1', 2], ['2', 1]]);
    const listed = (await host.client.get(`/api/rounds/${round.id}/codes`)).json as { answered: boolean }[];
    expect(listed.filter((c) => c.answered)).toHaveLength(3);
  });

  it('many right codes from one address never throttle; wrong codes do', async () => {
    const { round, codes } = await roundWithCodes();
    const nat = testAddress();
    const ranking = round.items.map((i) => i.id);
    for (const c of [...codes, ...codes]) expect((await phone(nat).post(`/api/public/rounds/${round.id}/answers`, { code: c.code, ranking })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const wrong = await phone(nat).post(`/api/public/rounds/${round.id}/answers`, { code: 'AAAAAAAA', ranking });
      expect(wrong.status).toBe(404);
      expect(wrong.json.error.code).toBe('unknown_household_code');
    }
    expect((await phone(nat).post(`/api/public/rounds/${round.id}/answers`, { code: 'AAAAAAAA', ranking })).status).toBe(429);
    // Past the limit a right code is refused too: a guesser learns nothing more from that address.
    expect((await phone(nat).post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code, ranking })).status).toBe(429);
    expect((await phone().post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code, ranking })).status).toBe(201);
  });

  it('concurrent wrong codes beyond the limit answer 429, never what they found', async () => {
    const { round } = await roundWithCodes();
    const nat = testAddress();
    const ranking = round.items.map((i) => i.id);
    const answers = await Promise.all(Array.from({ length: 30 }, () => phone(nat).post(`/api/public/rounds/${round.id}/answers`, { code: 'AAAAAAAA', ranking })));
    const wrong = answers.filter((a) => a.status === 404).length;
    // 3 points: the gate lets a few in flight past the last point, never the whole burst.
    expect(wrong).toBeGreaterThanOrEqual(3);
    expect(wrong).toBeLessThanOrEqual(3 + 4);
    expect(answers.filter((a) => a.status === 429).length).toBe(30 - wrong);
  });

  it('refuses bad rankings, a missing household, a closed round', async () => {
    const { host, round, codes } = await roundWithCodes();
    const ids = round.items.map((i) => i.id);
    const tries: [unknown, string][] = [
      [{ code: codes[0]!.code, ranking: [ids[0], ids[0]] }, 'invalid_ranking'],
      [{ code: codes[0]!.code, ranking: ['nope'] }, 'invalid_ranking'],
      [{ code: codes[0]!.code, ranking: [] }, 'invalid_ranking'],
      [{ code: codes[0]!.code, pairs: [] }, 'invalid_ranking'],
      [{ code: codes[0]!.code }, 'invalid_input'],
      [{ ranking: ids }, 'household_required'],
    ];
    for (const [body, code] of tries) expect((await phone().post(`/api/public/rounds/${round.id}/answers`, body)).json.error.code).toBe(code);
    await host.client.patch(`/api/rounds/${round.id}`, { status: 'closed' });
    const late = await phone().post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code, ranking: ids });
    expect(late.json.error.code).toBe('round_closed');
    expect((await host.client.get(`/api/rounds/${round.id}/result`)).json.result.households).toBe(0);
  });

  it('pairwise: the documented score from wins and losses; the public round gives pairs to ask', async () => {
    const { host, round, codes } = await roundWithCodes('pairwise');
    const [lift, lights, sheds] = round.items.map((i) => i.id);
    const pub = (await phone().get(`/api/public/rounds/${round.id}`)).json;
    expect(pub.pairs).toHaveLength(3);
    expectNoPersonalData(pub);
    await phone().post(`/api/public/rounds/${round.id}/answers`, { code: codes[0]!.code, pairs: [{ a: lift, b: lights, winner: lift }, { a: lift, b: sheds, winner: lift }, { a: lights, b: sheds, winner: null }] });
    const result = (await host.client.get(`/api/rounds/${round.id}/result`)).json.result;
    expect(result.wins).toEqual({ [lift!]: 2, [lights!]: 0, [sheds!]: 0 });
    expect(result.scores[lift!]).toBe(75);
    expect(result.scores[lights!]).toBe(33.33);
    expect(result.tie).toEqual([[lights, sheds]]);
  });

  it('open rounds: households declare building and unit, deduplicated against the register', async () => {
    const { host, campaign, communityId } = await campaignSetup();
    const round = await host.client.post(`/api/campaigns/${campaign.id}/rounds`, { title: '开放排序', method: 'borda', households: 'open', projects: ['a', 'b'] });
    const ids = round.json.items.map((i: { id: string }) => i.id);
    // Without a register, the household key itself is the household.
    expect((await phone().post(`/api/public/rounds/${round.json.id}/answers`, { building: '3号楼', unit: '1201室', ranking: ids })).json.replaced).toBe(false);
    expect((await phone().post(`/api/public/rounds/${round.json.id}/answers`, { building: '３栋', unit: '1201', ranking: ids })).json.replaced).toBe(true);
    await host.client.request('PUT', `/api/communities/${communityId}/units`, { units: REGISTER });
    const unknown = await phone().post(`/api/public/rounds/${round.json.id}/answers`, { building: '9', unit: '999', ranking: ids });
    expect(unknown.json.error.code).toBe('unit_not_in_register');
    expect((await phone().post(`/api/public/rounds/${round.json.id}/answers`, { building: '1号楼', unit: '101室', ranking: ids })).status).toBe(201);
    expect((await host.client.post(`/api/rounds/${round.json.id}/codes`)).status).toBe(400);
  });

  it('codes need a register', async () => {
    const { host, campaign } = await campaignSetup();
    const round = await host.client.post(`/api/campaigns/${campaign.id}/rounds`, { title: 'r', method: 'borda', households: 'codes', projects: ['a', 'b'] });
    const res = await host.client.post(`/api/rounds/${round.json.id}/codes`);
    expect(res.json.error.code).toBe('register_empty');
    expect((await host.client.post(`/api/campaigns/${campaign.id}/rounds`, { title: 'r', method: 'borda', households: 'codes', projects: ['only one'] })).status).toBe(400);
  });
});

describe(`photos (${testDriver})`, () => {
  const upload = (receipt: string, body: Uint8Array | string, type: string) =>
    ctx.app.request(`/api/public/ideas/${receipt}/photo`, { method: 'POST', headers: { 'content-type': type, 'x-forwarded-for': testAddress() }, body });

  it('re-encodes a photo to a JPEG without its metadata; refuses other types, garbage and oversize', async () => {
    const { host, campaign } = await campaignSetup();
    const idea = await phone().post(`/api/public/campaigns/${campaign.code}/ideas`, { text: '车棚漏雨' });
    const png = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#a8231b' } })
      .withMetadata({ exif: { IFD0: { Copyright: 'secret-camera' } } })
      .png()
      .toBuffer();
    const ok = await upload(idea.json.receipt, new Uint8Array(png), 'image/png');
    expect(ok.status).toBe(201);
    const list = (await host.client.get(`/api/campaigns/${campaign.id}/ideas`)).json;
    expect(list[0].hasPhoto).toBe(true);
    const photo = await ctx.app.request(`/api/ideas/${idea.json.id}/photo`, { headers: { cookie: host.client.cookieHeader() } });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await photo.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 1600, 800, undefined]);
    expect(bytes.includes('secret-camera')).toBe(false);
    expect((await ctx.app.request(`/api/ideas/${idea.json.id}/photo`)).status).toBe(401);

    for (const [body, type] of [
      ['hello', 'text/plain'],
      [new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2, 3]), 'image/jpeg'],
      [new Uint8Array(png), 'image/gif'],
    ] as const) {
      const res = await upload(idea.json.receipt, body, type);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('photo_refused');
    }
    // Larger than any resized photo: refused before it is read whole.
    const big = await upload(idea.json.receipt, new Uint8Array(1_100_000), 'image/jpeg');
    expect(big.status).toBe(413);
    expect((await upload('AAAAAAAAAA', new Uint8Array(png), 'image/png')).status).toBe(404);
  });

  it('refuses a sliver (a few KB, under the pixel cap, seconds of libvips per upload) before decoding it', async () => {
    const sliver = await sharp({ create: { width: 1, height: MAX_PHOTO_SIDE + 1, channels: 3, background: '#000' } }).png().toBuffer();
    expect(sliver.length).toBeLessThan(IDEA_LIMITS.photoBytes);
    await expect(reencodePhoto(new Uint8Array(sliver))).rejects.toMatchObject({ code: 'photo_refused' });
    const wide = await sharp({ create: { width: MAX_PHOTO_SIDE, height: 2000, channels: 3, background: '#a8231b' } }).jpeg().toBuffer();
    expect((await sharp(await reencodePhoto(new Uint8Array(wide))).metadata()).width).toBe(1600);
  });
});
