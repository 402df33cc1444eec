import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import {
  TEST_PUBLIC_URL,
  TestClient,
  createTestContext,
  joinedGuest,
  meetingWithHost,
  signedUp,
  type TestContext,
} from '../testing.ts';

let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.dispose());

const anon = () => new TestClient(ctx.app);

describe(`health and errors (${testDriver})`, () => {
  it('GET /healthz answers ok once the database is ready', async () => {
    const res = await anon().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true });
  });

  it('unknown /api routes answer 404 JSON', async () => {
    const res = await anon().get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
    expect(typeof res.json.error.message).toBe('string');
  });

  it('malformed JSON is a 400 with a readable message', async () => {
    const res = await anon().post('/api/auth/signup', '{"username": ');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
  });

  it('bodies over 1 MiB answer 413 and change nothing', async () => {
    const res = await anon().post('/api/auth/signup', { username: 'big', password: 'x'.repeat(1024 * 1024 + 10), name: 'x' });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    expect((await anon().post('/api/auth/login', { username: 'big', password: 'whatever1' })).status).toBe(401);
  });

  it('a NUL character (which Postgres text cannot hold) in a body or a path is a 400, not a 500', async () => {
    const { host, communityId, meeting } = await meetingWithHost(ctx.app);
    const answers = [
      await anon().post('/api/auth/login', { username: 'a\u0000', password: 'whatever1' }),
      await anon().post('/api/join', { code: meeting.joinCode, name: '王\u0000', affiliation: 'resident' }),
      await host.client.post('/api/meetings', { communityId, title: '会\u0000议', kind: 'general' }),
      await host.client.get('/api/meetings/%00'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'invalid_input', message: '输入有误，请检查：请求' });
    }
  });

  it('messages follow the request language', async () => {
    const body = { username: 'ab', password: 'short', name: '' };
    const zh = await anon().post('/api/auth/signup', body);
    expect(zh.status).toBe(400);
    expect(zh.json.error.message).toContain('用户名');
    const tw = await anon().post('/api/auth/signup', body, { 'accept-language': 'zh-TW,zh;q=0.9' });
    expect(tw.json.error.message).toContain('使用者名稱');
    const en = await anon().post('/api/auth/signup', body, { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.json.error.message).toMatch(/username/);
    const cookie = await anon().post('/api/auth/signup', body, { 'accept-language': 'en', cookie: 'PARAGLIDE_LOCALE=zh-TW' });
    expect(cookie.json.error.message).toContain('使用者名稱');
  });
});

describe(`accounts (${testDriver})`, () => {
  it('signup sets an HttpOnly SameSite=Lax cookie and /api/me knows the user', async () => {
    const client = anon();
    const res = await client.post('/api/auth/signup', { username: 'Secretary_Chen', password: 'correct horse battery', name: '陈秘书' });
    expect(res.status).toBe(201);
    expect(res.json.user).toMatchObject({ username: 'secretary_chen', name: '陈秘书', guest: false });
    const cookie = res.setCookie.find((c) => c.startsWith('yishi_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const me = await client.get('/api/me');
    expect(me.json.user.name).toBe('陈秘书');
  });

  it('refuses a taken username (409) and weak passwords (400)', async () => {
    await anon().post('/api/auth/signup', { username: 'taken', password: 'correct horse battery', name: 'A' });
    const again = await anon().post('/api/auth/signup', { username: 'TAKEN', password: 'correct horse battery', name: 'B' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('username_taken');
    const weak = await anon().post('/api/auth/signup', { username: 'weakling', password: '1234567', name: 'C' });
    expect(weak.status).toBe(400);
    expect(weak.json.error.code).toBe('weak_password');
    const long = await anon().post('/api/auth/signup', { username: 'longling', password: 'x'.repeat(257), name: 'C' });
    expect(long.json.error.code).toBe('weak_password');
  });

  it('login makes a new session each time and ends the previous one; logout ends it server-side', async () => {
    const { client, username } = await signedUp(ctx.app);
    const before = client.cookies.get('yishi_session');
    const login = await client.post('/api/auth/login', { username, password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const after = client.cookies.get('yishi_session');
    expect(after).not.toBe(before);
    const stale = new TestClient(ctx.app);
    stale.cookies.set('yishi_session', before!);
    expect((await stale.get('/api/me')).status).toBe(401);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const stolen = new TestClient(ctx.app);
    stolen.cookies.set('yishi_session', after!);
    expect((await stolen.get('/api/me')).status).toBe(401);
  });

  it('stores no raw session token', async () => {
    const { client } = await signedUp(ctx.app);
    const token = client.cookies.get('yishi_session')!;
    const rows = await ctx.deps.db.select().from(sessions);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('wrong passwords slow that device down for a minute, and never lock the owner out elsewhere', async () => {
    const { username } = await signedUp(ctx.app);
    const careless = new TestClient(ctx.app, { 'x-forwarded-for': '203.0.113.7' });
    for (let i = 0; i < 5; i++) {
      const res = await careless.post('/api/auth/login', { username, password: `wrong-${i}-password` });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('invalid_credentials');
    }
    const blocked = await careless.post('/api/auth/login', { username, password: 'correct horse battery' });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toMatch(/\d+ 秒/);
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // The same account from the owner's other device is not locked.
    const phone = new TestClient(ctx.app, { 'x-forwarded-for': '198.51.100.1' });
    expect((await phone.post('/api/auth/login', { username, password: 'correct horse battery' })).status).toBe(200);
  });

  it('concurrent wrong passwords cannot outrun the limits: only a handful are ever checked', async () => {
    const { username } = await signedUp(ctx.app);
    const oneAddress = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        new TestClient(ctx.app, { 'x-forwarded-for': '203.0.113.8' }).post('/api/auth/login', { username, password: `guess-${i}-guess` }),
      ),
    );
    const checked = (answers: { status: number }[]) => answers.filter((r) => r.status === 401).length;
    expect(checked(oneAddress)).toBeLessThanOrEqual(5);
    expect(oneAddress.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    // Spread over 200 addresses, the account's own limit holds.
    const manyAddresses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        new TestClient(ctx.app, { 'x-forwarded-for': `203.0.114.${i}` }).post('/api/auth/login', { username, password: `guess-${i}-guess` }),
      ),
    );
    expect(checked(manyAddresses)).toBeLessThanOrEqual(20);
  });

  it('throttles one address guessing many usernames', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.99' };
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) => new TestClient(ctx.app, ip).post('/api/auth/login', { username: `ghost${i}`, password: 'nope-nope' })),
    );
    expect(answers.filter((r) => r.status === 401)).toHaveLength(100);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(20);
  });

  it('signups are limited per address', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.150' };
    for (let i = 0; i < 20; i++) {
      const res = await new TestClient(ctx.app, ip).post('/api/auth/signup', { username: `flood${i}x${Date.now()}`, password: 'correct horse battery', name: '刷' });
      expect(res.status).toBe(201);
    }
    const refused = await new TestClient(ctx.app, ip).post('/api/auth/signup', { username: `flood-last${Date.now()}`, password: 'correct horse battery', name: '刷' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it('unknown username and wrong password answer alike', async () => {
    const a = await anon().post('/api/auth/login', { username: 'no-such-user', password: 'whatever-1' });
    expect(a.status).toBe(401);
    expect(a.json.error.code).toBe('invalid_credentials');
  });
});

describe(`communities and meetings (${testDriver})`, () => {
  it('a signed-in worker creates a community and a meeting; the caller hosts it', async () => {
    const { client } = await signedUp(ctx.app, '李书记');
    expect((await client.get('/api/communities')).json).toEqual([]);
    const community = await client.post('/api/communities', { name: '濱湖明珠社區' });
    expect(community.status).toBe(201);
    expect(community.json).toMatchObject({ name: '濱湖明珠社區', role: 'admin' });
    const meeting = await client.post('/api/meetings', {
      communityId: community.json.id,
      title: '11月樓長有話說',
      kind: 'building-talk',
      startsAt: '2026-11-25T19:00:00+08:00',
      location: '社區黨群服務中心',
    });
    expect(meeting.status).toBe(201);
    expect(meeting.json.joinCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{9}$/);
    expect(meeting.json.joinUrl).toBe(`${TEST_PUBLIC_URL}/join/${meeting.json.joinCode}`);
    const got = await client.get(`/api/meetings/${meeting.json.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ title: '11月樓長有話說', kind: 'building-talk', status: 'planned', role: 'host', communityName: '濱湖明珠社區' });
    expect(new Date(got.json.startsAt).toISOString()).toBe('2026-11-25T11:00:00.000Z');
    const list = await client.get(`/api/communities/${community.json.id}/meetings`);
    expect(list.json.map((m: { id: string }) => m.id)).toEqual([meeting.json.id]);
  });

  it('checks input, membership and existence', async () => {
    const { client } = await signedUp(ctx.app);
    const community = await client.post('/api/communities', { name: '東湖社區' });
    const badKind = await client.post('/api/meetings', { communityId: community.json.id, title: 'x', kind: 'party' });
    expect(badKind.status).toBe(400);
    expect(badKind.json.error.message).toContain('会议类型');
    expect((await client.post('/api/communities', { name: '' })).status).toBe(400);
    const stranger = await signedUp(ctx.app);
    const foreign = await stranger.client.post('/api/meetings', { communityId: community.json.id, title: 'x', kind: 'salon' });
    expect(foreign.status).toBe(403);
    expect((await stranger.client.get(`/api/communities/${community.json.id}/meetings`)).status).toBe(403);
    const unknown = await client.post('/api/meetings', { communityId: 'nope', title: 'x', kind: 'salon' });
    expect(unknown.status).toBe(404);
    expect((await anon().post('/api/communities', { name: 'x' })).status).toBe(401);
  });

  it('a participant sees the meeting; others get 403; unknown ids 404', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const other = await signedUp(ctx.app);
    expect((await other.client.get(`/api/meetings/${meeting.id}`)).status).toBe(403);
    expect((await other.client.get(`/api/meetings/${meeting.id}/participants`)).status).toBe(403);
    expect((await other.client.get('/api/meetings/doesnotexist')).status).toBe(404);
    expect((await anon().get(`/api/meetings/${meeting.id}`)).status).toBe(401);
  });
});

describe(`joining and the roster (${testDriver})`, () => {
  it('a guest joins by code without an account and the host sees them', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = new TestClient(ctx.app);
    const typed = meeting.joinCode.toLowerCase().replace(/(...)(...)(...)/, '$1-$2 $3');
    const res = await guest.post('/api/join', { code: typed, name: '王樓長', affiliation: 'resident' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ meetingId: meeting.id, role: 'participant' });
    expect((await guest.get('/api/me')).json.user).toMatchObject({ name: '王樓長', guest: true, username: null, guestMeetingId: meeting.id });
    expect((await guest.get(`/api/meetings/${meeting.id}`)).json.role).toBe('participant');
    const roster = await host.client.get(`/api/meetings/${meeting.id}/participants`);
    expect(roster.json).toEqual([
      expect.objectContaining({ name: '李书记', role: 'host', affiliation: 'social-work', present: true }),
      { userId: res.json.userId, name: '王樓長', affiliation: 'resident', role: 'participant', present: true, eligible: true },
    ]);
    // Joining again from the same browser is the same person, not a second one.
    const again = await guest.post('/api/join', { code: meeting.joinCode, name: '王樓長', affiliation: 'resident' });
    expect(again.json.userId).toBe(res.json.userId);
    expect((await host.client.get(`/api/meetings/${meeting.id}/participants`)).json).toHaveLength(2);
  });

  it('a guest of one meeting sees nothing of another and cannot create communities', async () => {
    const a = await meetingWithHost(ctx.app);
    const b = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, a.meeting.joinCode);
    expect((await guest.client.get(`/api/meetings/${b.meeting.id}`)).status).toBe(403);
    expect((await guest.client.get(`/api/meetings/${b.meeting.id}/participants`)).status).toBe(403);
    const create = await guest.client.post('/api/communities', { name: '假社區' });
    expect(create.status).toBe(403);
    expect(create.json.error.code).toBe('guest_not_allowed');
    expect((await guest.client.get(`/api/communities/${a.communityId}/meetings`)).status).toBe(403);
  });

  it('an account holder who is logged in joins as themself', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const member = await signedUp(ctx.app, '張主任');
    const res = await member.client.post('/api/join', { code: meeting.joinCode, name: '張主任', affiliation: 'committee' });
    expect(res.json).toMatchObject({ userId: member.user.id, role: 'participant' });
  });

  it('unknown codes are limited per address; correct joins never are, even after a careless burst', async () => {
    const { meeting } = await meetingWithHost(ctx.app);
    const ip = { 'x-forwarded-for': '192.0.2.50' };
    const join = (code: string, name: string) => new TestClient(ctx.app, ip).post('/api/join', { code, name, affiliation: 'resident' });
    // A whole room joining from one address (NAT) at once is fine.
    const room = await Promise.all(Array.from({ length: 60 }, (_, i) => join(meeting.joinCode, `居民${i}`)));
    expect(room.map((r) => r.status)).toEqual(Array(60).fill(200));
    // Someone types 20 wrong codes: the next person with the right code still gets in.
    for (let i = 0; i < 20; i++) {
      const res = await join('ABCDEFGHJ', '猜');
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('unknown_join_code');
    }
    expect((await join(meeting.joinCode, '晚到')).status).toBe(200);
    // A script guessing: after the window (10) and the hour's reserve (40), every guess waits.
    const guesses = await Promise.all(Array.from({ length: 60 }, () => join('ABCDEFGHK', '猜')));
    expect(guesses.filter((r) => r.status === 404)).toHaveLength(30);
    const blocked = guesses.find((r) => r.status === 429)!;
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('rejects bad join input and closed meetings; the host rotates the code', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const bad = await anon().post('/api/join', { code: meeting.joinCode, name: '', affiliation: 'alien' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/姓名.*身份|身份.*姓名/);
    const rotated = await host.client.post(`/api/meetings/${meeting.id}/join-code`);
    expect(rotated.status).toBe(200);
    expect(rotated.json.joinCode).not.toBe(meeting.joinCode);
    expect((await anon().post('/api/join', { code: meeting.joinCode, name: 'x', affiliation: 'other' })).status).toBe(404);
    expect((await anon().post('/api/join', { code: rotated.json.joinCode, name: 'x', affiliation: 'other' })).status).toBe(200);
    const closed = await host.client.patch(`/api/meetings/${meeting.id}`, { status: 'closed' });
    expect(closed.json.status).toBe('closed');
    const late = await anon().post('/api/join', { code: rotated.json.joinCode, name: 'y', affiliation: 'other' });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('meeting_closed');
  });

  it('only the host changes roles, presence and eligibility; a meeting keeps a host', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const projector = await joinedGuest(ctx.app, meeting.joinCode, '投影', 'other');
    const asGuest = await guest.client.patch(`/api/meetings/${meeting.id}/participants/${projector.userId}`, { role: 'observer' });
    expect(asGuest.status).toBe(403);
    const secretary = await host.client.patch(`/api/meetings/${meeting.id}/participants/${guest.userId}`, { role: 'secretary' });
    expect(secretary.status).toBe(200);
    expect(secretary.json.role).toBe('secretary');
    await host.client.patch(`/api/meetings/${meeting.id}/participants/${projector.userId}`, { role: 'observer', eligible: false });
    // Secretaries help run the meeting but do not manage the roster.
    expect((await guest.client.patch(`/api/meetings/${meeting.id}/participants/${projector.userId}`, { present: false })).status).toBe(403);
    const roster = (await host.client.get(`/api/meetings/${meeting.id}/participants`)).json;
    expect(roster.find((p: { userId: string }) => p.userId === projector.userId)).toMatchObject({ role: 'observer', eligible: false });
    const demote = await host.client.patch(`/api/meetings/${meeting.id}/participants/${host.user.id}`, { role: 'participant' });
    expect(demote.status).toBe(409);
    expect(demote.json.error.code).toBe('last_host');
    expect((await host.client.patch(`/api/meetings/${meeting.id}/participants/nobody`, { present: true })).status).toBe(404);
    expect((await host.client.patch(`/api/meetings/${meeting.id}/participants/${guest.userId}`, { role: 'king' })).status).toBe(400);
    expect((await host.client.patch(`/api/meetings/${meeting.id}/participants/${guest.userId}`, {})).status).toBe(400);
  });

  it('joining again never undoes what the host set on the roster', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '王樓長', 'committee');
    // The host corrects the guest: a resident, absent, not eligible.
    await host.client.patch(`/api/meetings/${meeting.id}/participants/${guest.userId}`, { present: false, eligible: false });
    const again = await guest.client.post('/api/join', { code: meeting.joinCode, name: '王主任', affiliation: 'committee' });
    expect(again.status).toBe(200);
    expect(again.json.userId).toBe(guest.userId);
    const row = (await host.client.get(`/api/meetings/${meeting.id}/participants`)).json.find((p: { userId: string }) => p.userId === guest.userId);
    expect(row).toMatchObject({ name: '王樓長', affiliation: 'committee', present: false, eligible: false });
  });
});

describe(`origin and cookies (${testDriver})`, () => {
  it('refuses state changes from a foreign Origin and allows our own', async () => {
    const foreign = await anon().post(
      '/api/auth/signup',
      { username: 'csrf', password: 'correct horse battery', name: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('foreign_origin');
    expect((await anon().post('/api/auth/login', { username: 'csrf', password: 'correct horse battery' })).status).toBe(401);
    const own = await anon().post(
      '/api/auth/signup',
      { username: 'sameorigin', password: 'correct horse battery', name: 'x' },
      { origin: TEST_PUBLIC_URL },
    );
    expect(own.status).toBe(201);
    const sameHost = await anon().post(
      '/api/auth/signup',
      { username: 'samehost', password: 'correct horse battery', name: 'x' },
      { origin: 'http://10.0.0.5:3000', host: '10.0.0.5:3000' },
    );
    expect(sameHost.status).toBe(201);
  });

  it('uses Secure and the __Host- prefix behind HTTPS', async () => {
    const secure = await createTestContext({ PUBLIC_URL: 'https://yishi.example.org' });
    try {
      const client = new TestClient(secure.app);
      const res = await client.post('/api/auth/signup', { username: 'tls', password: 'correct horse battery', name: 'x' });
      const cookie = res.setCookie.find((c) => c.startsWith('__Host-yishi_session='))!;
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain/i);
      expect((await client.get('/api/me')).status).toBe(200);
    } finally {
      await secure.dispose();
    }
  });
});
