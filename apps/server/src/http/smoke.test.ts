import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, meetingWithHost, joinedGuest, type TestContext } from '../testing.ts';

let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.dispose());

it('signup → community → meeting → guest joins → host sees them', async () => {
  const { host, meeting } = await meetingWithHost(ctx.app);
  const guest = await joinedGuest(ctx.app, meeting.joinCode);
  const list = await host.client.get(`/api/meetings/${meeting.id}/participants`);
  expect(list.status).toBe(200);
  expect(list.json.map((p: { name: string }) => p.name)).toEqual(['李书记', '王樓長']);
  expect(guest.userId).toBeTruthy();
});
