import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docUpdates } from '@yishi/db';
import {
  SAMPLE_CHARTER_DRAFT,
  bindAdoptionPoll,
  createCharter,
  readCharter,
  recordAdoption,
  setClauseStatus,
  updateCharter,
} from '@yishi/model';
import { docxParagraphs, docxPart } from '@yishi/minutes/testing';
import { TestClient, createTestContext, joinedGuest, meetingWithHost, signedUp, type TestContext } from '../testing.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.dispose();
});

/** A meeting document whose edits are stored the way the Yjs layer logs them (one row per update). */
function storedDoc(meetingId: string) {
  const doc = new Y.Doc();
  let updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return {
    doc,
    async edit(write: (doc: Y.Doc) => void) {
      write(doc);
      const rows = updates.map((u) => ({ meetingId, update: Buffer.from(u) }));
      updates = [];
      await ctx.deps.db.insert(docUpdates).values(rows);
    },
  };
}

async function binary(client: TestClient, path: string) {
  const res = await ctx.app.request(path, { headers: { cookie: client.cookieHeader() } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('the charter routes', () => {
  it('exports the text as DOCX to participants only, publishes it once adopted, and the public board shows it', async () => {
    const { host, communityId, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '王阿姨');
    const stranger = await signedUp(ctx.app, '隔壁小区的人');
    const path = `/api/meetings/${meeting.id}/charter.docx`;

    expect((await host.client.get(path)).status).toBe(404);

    const stored = storedDoc(meeting.id);
    await stored.edit((d) => {
      createCharter(d, { draft: SAMPLE_CHARTER_DRAFT });
      updateCharter(d, { status: 'deliberating' });
    });

    const file = await binary(host.client, path);
    expect(file.status).toBe(200);
    expect(file.type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(decodeURIComponent(file.disposition ?? '')).toContain('公共空间管理规约');
    expect((await binary(guest.client, path)).status).toBe(200);
    const refused = await stranger.client.get(path);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    expect((await new TestClient(ctx.app).get(path)).status).toBe(401);

    const publish = `/api/meetings/${meeting.id}/charter/publish`;
    const early = await host.client.post(publish);
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('charter_not_adopted');
    expect(early.json.error.message).toContain('规约');

    await stored.edit((doc) => {
      const ids = readCharter(doc)!.clauses.map((c) => c.id);
      ids.forEach((id, i) => setClauseStatus(doc, id, i === 3 ? 'deferred' : 'agreed'));
      bindAdoptionPoll(doc, 'poll-final');
      recordAdoption(doc, { passed: true, votes: { yes: 6, no: 0, abstain: 1 } });
    });

    const adopted = docxParagraphs(docxPart((await binary(guest.client, path)).bytes, 'word/document.xml'));
    expect(adopted.filter((p) => p.startsWith('第'))).toHaveLength(5);
    expect(adopted.some((p) => p.startsWith('第四条'))).toBe(false);

    expect((await guest.client.post(publish)).status).toBe(403);
    expect((await stranger.client.post(publish)).status).toBe(403);
    const published = await host.client.post(publish);
    expect(published.status).toBe(200);
    expect(published.json.clauses).toHaveLength(5);

    const board = await new TestClient(ctx.app).get(`/api/public/communities/${communityId}/board`);
    expect(board.status).toBe(200);
    expect(board.json.charters).toHaveLength(1);
    expect(board.json.charters[0]).toMatchObject({ title: '公共空间管理规约', votes: { yes: 6, no: 0, abstain: 1 } });
    expect(board.json.charters[0].clauses[2]).toContain('第三条');
    // Publishing again replaces the copy, never adds a second one.
    expect((await host.client.post(publish)).status).toBe(200);
    expect((await new TestClient(ctx.app).get(`/api/public/communities/${communityId}/board`)).json.charters).toHaveLength(1);
  });
});
