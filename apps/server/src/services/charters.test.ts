import { deflateRawSync } from 'node:zlib';
import { Document, Packer, Paragraph, TextRun } from 'docx';
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
  splitClauses,
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

  it('reads a DOCX draft for the host, bounded, and refuses what is not one', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '王阿姨');
    const path = `/api/meetings/${meeting.id}/charter/draft-text`;
    const word = new Document({ sections: [{ children: SAMPLE_CHARTER_DRAFT.split('\n').map((line) => new Paragraph({ children: [new TextRun(line)] })) }] });
    const bytes = new Uint8Array(await Packer.toBuffer(word));
    const raw = async (client: TestClient, body: Uint8Array) => {
      const res = await ctx.app.request(path, { method: 'POST', body, headers: { cookie: client.cookieHeader(), 'content-type': 'application/octet-stream' } });
      return { status: res.status, json: (await res.json()) as { text?: string; error?: { code: string; message: string } } };
    };
    const read = await raw(host.client, bytes);
    expect(read.status).toBe(200);
    expect(splitClauses(read.json.text!).clauses).toHaveLength(6);
    expect(read.json.text).toContain('第三条 任何人不得在楼道、消防通道内堆放杂物');

    expect((await raw(guest.client, bytes)).status).toBe(403);
    const garbage = await raw(host.client, new TextEncoder().encode('第一条 这不是 Word 文件'));
    expect(garbage.status).toBe(400);
    expect(garbage.json.error!.code).toBe('docx_unreadable');

    // The hand-made archive is readable when small (so the refusal below is the size limit)…
    const small = await raw(host.client, zip('word/document.xml', deflateRawSync(Buffer.from('<w:document><w:p><w:r><w:t xml:space="preserve">第一条 &amp; 小</w:t></w:r></w:p></w:document>'))));
    expect(small.json.text).toBe('第一条 & 小');
    // …and a zip bomb: 9 MiB of XML in a few kilobytes is refused, never inflated whole.
    const bomb = zip('word/document.xml', deflateRawSync(Buffer.from(`<w:document>${' '.repeat(9 * 1024 * 1024)}</w:document>`)));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await raw(host.client, bomb)).json.error!.code).toBe('docx_unreadable');
    // Over the API's body limit: 413 before anything is read.
    expect((await raw(host.client, new Uint8Array(2 * 1024 * 1024))).status).toBe(413);
  });
});

/** A one-file ZIP archive (deflated), written by hand so that it can lie about nothing but size. */
function zip(name: string, deflated: Buffer): Uint8Array {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(100, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(100, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const centralAt = local.length + nameBytes.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return new Uint8Array(Buffer.concat([local, nameBytes, deflated, central, nameBytes, end]));
}
