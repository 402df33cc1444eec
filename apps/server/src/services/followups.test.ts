import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDriver } from '@yishi/db/testing';
import { csvCell } from '@yishi/model';
import { TestClient, createTestContext, joinedGuest, meetingWithHost, type TestContext } from '../testing.ts';
import { todayInChina } from './followups.ts';

let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.dispose());

describe(`follow-ups across meetings (${testDriver})`, () => {
  it('created in meeting 1, updated between meetings, carried into meeting 2 and onto the public board', async () => {
    const { host, communityId, meeting } = await meetingWithHost(ctx.app);
    const manager = await joinedGuest(ctx.app, meeting.joinCode, '物業劉經理', 'property');
    const resident = await joinedGuest(ctx.app, meeting.joinCode, '王樓長', 'resident');
    const created = await resident.client.post(`/api/meetings/${meeting.id}/follow-ups`, {
      title: '清理3棟樓道雜物',
      ownerAffiliation: 'property',
      ownerUserId: manager.userId,
      dueDate: '2020-01-31',
      agendaItemId: 'item-1',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ title: '清理3棟樓道雜物', ownerName: '物業劉經理', status: 'open', overdue: true, meetingTitle: '11月樓長有話說' });
    const id = created.json.id as string;

    // Between meetings the property manager reports progress from a phone.
    const note = await manager.client.post(`/api/follow-ups/${id}/notes`, { body: '已張貼通知，週六集中清理', status: 'in-progress' });
    expect(note.status).toBe(201);
    expect(note.json.status).toBe('in-progress');

    const second = await host.client.post('/api/meetings', { communityId, title: '12月樓長有話說', kind: 'building-talk' });
    const carry = await host.client.get(`/api/meetings/${second.json.id}/follow-ups`);
    expect(carry.json.carriedOver).toHaveLength(1);
    expect(carry.json.carriedOver[0]).toMatchObject({ id, status: 'in-progress', overdue: true });
    expect(carry.json.carriedOver[0].notes.map((n: { body: string }) => n.body)).toContain('已張貼通知，週六集中清理');

    // Updated in meeting 2: the same follow-up, one source of truth.
    await host.client.patch(`/api/follow-ups/${id}`, { status: 'done' });
    const list = await host.client.get(`/api/communities/${communityId}/follow-ups`);
    expect(list.json).toHaveLength(1);
    expect(list.json[0]).toMatchObject({ id, status: 'done', overdue: false, meetingId: meeting.id });

    const board = await new TestClient(ctx.app).get(`/api/public/communities/${communityId}/board`);
    expect(board.status).toBe(200);
    const text = JSON.stringify(board.json);
    expect(text).toContain('清理3棟樓道雜物');
    expect(text).toContain('已張貼通知');
    expect(text).not.toContain('王樓長');
    expect(text).not.toContain('物業劉經理');
    expect(board.json.followUps[0].ownerAffiliation).toBe('property');
  });

  it('guards who may read and write', async () => {
    const a = await meetingWithHost(ctx.app);
    const b = await meetingWithHost(ctx.app);
    const observer = await joinedGuest(ctx.app, a.meeting.joinCode, '投影', 'other');
    await a.host.client.patch(`/api/meetings/${a.meeting.id}/participants/${observer.userId}`, { role: 'observer' });
    const denied = await observer.client.post(`/api/meetings/${a.meeting.id}/follow-ups`, { title: 'x', ownerAffiliation: 'property' });
    expect(denied.status).toBe(403);
    const outsider = await joinedGuest(ctx.app, b.meeting.joinCode);
    expect((await outsider.client.get(`/api/communities/${a.communityId}/follow-ups`)).status).toBe(403);
    const f = await a.host.client.post(`/api/meetings/${a.meeting.id}/follow-ups`, { title: '規範停車', ownerAffiliation: 'committee' });
    expect((await outsider.client.patch(`/api/follow-ups/${f.json.id}`, { status: 'done' })).status).toBe(403);
    expect((await outsider.client.post(`/api/follow-ups/${f.json.id}/notes`, { body: 'hi' })).status).toBe(403);
    const bad = await a.host.client.post(`/api/meetings/${a.meeting.id}/follow-ups`, { title: '', ownerAffiliation: 'mars', dueDate: '31/12/2026' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/标题/);
    expect((await a.host.client.patch('/api/follow-ups/nope', { status: 'done' })).status).toBe(404);
    expect((await new TestClient(ctx.app).get('/api/public/communities/nope/board')).status).toBe(404);
  });

  it("a guest's write access to the community's follow-ups ends when their meeting ends", async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '物业王经理', 'property');
    const f = await guest.client.post(`/api/meetings/${meeting.id}/follow-ups`, { title: '樓道燈維修', ownerAffiliation: 'property' });
    expect(f.status).toBe(201);
    expect((await guest.client.post(`/api/follow-ups/${f.json.id}/notes`, { body: '已報修' })).status).toBe(201);
    await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'closed' });
    expect((await guest.client.patch(`/api/follow-ups/${f.json.id}`, { status: 'done' })).status).toBe(403);
    expect((await guest.client.post(`/api/follow-ups/${f.json.id}/notes`, { body: '已修好' })).status).toBe(403);
    // Reading stays, and the host still writes.
    expect((await guest.client.get(`/api/meetings/${meeting.id}/follow-ups`)).status).toBe(200);
    expect((await host.client.patch(`/api/follow-ups/${f.json.id}`, { status: 'done' })).status).toBe(200);
  });

  it('exports a formula-safe CSV', async () => {
    const { host, communityId, meeting } = await meetingWithHost(ctx.app);
    await host.client.post(`/api/meetings/${meeting.id}/follow-ups`, { title: '=HYPERLINK("http://evil","x")', ownerAffiliation: 'property' });
    await host.client.post(`/api/meetings/${meeting.id}/follow-ups`, { title: '文明養寵, "牽繩"', ownerAffiliation: 'committee' });
    const res = await host.client.get(`/api/communities/${communityId}/follow-ups.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const text = res.json as string;
    expect(text).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(text).toContain('"文明養寵, ""牽繩"""');
    expect(text).toContain('物业');
  });
});

describe('csvCell', () => {
  it('neutralises every formula lead character', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${lead}1+1`).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('普通文字')).toBe('普通文字');
    expect(csvCell(null)).toBe('');
  });

  it('knows what day it is in China', () => {
    expect(todayInChina(new Date('2026-11-21T17:00:00Z'))).toBe('2026-11-22');
  });
});
