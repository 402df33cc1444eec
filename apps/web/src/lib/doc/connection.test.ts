import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { errorMessage, findItem, readAgenda } from '@yishi/model';
import { liveLayers } from '@yishi/server/layers';
import { createTestContext, joinedGuest, listeningServer, meetingWithHost, type TestClient, type TestContext } from '@yishi/server/testing';
import { cookieWebSocket } from '@yishi/server/yjs/testing';
import { LiveDoc } from './connection.svelte';
import { refusedEdits } from './refused';

let ctx: TestContext;
let wsUrl: string;
let close: () => Promise<void>;
const docs: LiveDoc[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const server = await listeningServer(ctx, liveLayers);
  wsUrl = `${server.wsUrl}/yjs`;
  close = () => server.yishi.close();
});
afterAll(async () => {
  for (const doc of docs) doc.destroy();
  await close();
  await ctx.dispose();
});

/** A page's live document for this client, as the browser would open it (no IndexedDB in Node; no tab channel, so everything goes through the server). */
function open(client: TestClient, meetingId: string): LiveDoc {
  const doc = new LiveDoc(meetingId, { url: wsUrl, WebSocketPolyfill: cookieWebSocket(client.cookieHeader()) as never, persist: false, tabChannel: false });
  docs.push(doc);
  return doc;
}

/** Resolves when `predicate` holds, checked on every change of the document; fails after 10 s. */
function until(live: LiveDoc, predicate: () => boolean, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      clearInterval(timer);
      clearTimeout(fail);
      resolve();
    };
    // The reactive fields change outside the document too (sync, status): poll them briefly.
    const timer = setInterval(check, 10);
    const fail = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`timed out waiting for ${label}`));
    }, 10_000);
    check();
  });
}

/** A live document that never reaches a server (for the parts that need none). */
function detached(): LiveDoc {
  const live = new LiveDoc('nowhere', { url: 'ws://127.0.0.1:9/yjs', WebSocketPolyfill: cookieWebSocket('') as never, persist: false, tabChannel: false });
  live.provider.disconnect();
  docs.push(live);
  return live;
}

const titles = (live: LiveDoc) => live.view.items.map((item) => item.titleText);

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

describe('the live document of a page', () => {
  it('syncs the agenda over one socket, counts edits made while disconnected, and sends them on reconnect', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const live = open(host.client, meeting.id);
    await until(live, () => live.synced && live.state === 'connected', 'synced');
    expect(live.ready).toBe(true);
    expect(titles(live)).toEqual(['上次事项推进', '各楼栋反映问题', '议定事项', '其他']);

    live.provider.disconnect();
    await until(live, () => live.state === 'offline', 'offline');
    const id = live.view.items[1]!.id;
    live.updateItem(id, { title: '5栋：楼道灯不亮' });
    live.updateItem(id, { presenter: '孙楼长' });
    expect(live.pending).toBe(2);

    const other = open(host.client, meeting.id);
    await until(other, () => other.synced, 'second client synced');
    expect(titles(other)[1]).toBe('各楼栋反映问题');
    live.provider.connect();
    await until(live, () => live.pending === 0 && live.state === 'connected', 'resent');
    await until(other, () => titles(other)[1] === '5栋：楼道灯不亮', 'edit arrived');
  });

  it('undoes only this person’s own edits, including a deletion, and never deletes for a participant', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const mine = open(host.client, meeting.id);
    const theirs = open(guest.client, meeting.id);
    mine.setAccess('host', 'live');
    theirs.setAccess('participant', 'live');
    await until(mine, () => mine.synced, 'host synced');
    await until(theirs, () => theirs.synced, 'guest synced');
    const [first, second] = mine.view.items.map((item) => item.id);

    mine.updateItem(first!, { title: '规范停车' });
    await until(theirs, () => titles(theirs)[0] === '规范停车', 'host edit seen');
    theirs.updateItem(second!, { title: '文明养宠' });
    await until(mine, () => titles(mine)[1] === '文明养宠', 'guest edit seen');
    expect(mine.canUndo).toBe(true);
    mine.undo();
    expect(titles(mine).slice(0, 2)).toEqual(['上次事项推进', '文明养宠']);
    mine.redo();
    expect(titles(mine)[0]).toBe('规范停车');

    mine.deleteItem(second!, '李书记');
    expect(titles(mine)).not.toContain('文明养宠');
    mine.undo();
    expect(titles(mine)[1]).toBe('文明养宠');
    await until(theirs, () => titles(theirs)[1] === '文明养宠' && theirs.deleted.length === 0, 'undo of the deletion seen');

    // A participant may not delete: undoing their new item leaves it in place.
    const added = theirs.addItem({ title: '其他事项' });
    theirs.undo();
    expect(theirs.view.items.some((item) => item.id === added)).toBe(true);
    expect(theirs.mayDelete).toBe(false);
  });

  it('restores a deleted item with its notes and decision from another client', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const tablet = open(host.client, meeting.id);
    const laptop = open(host.client, meeting.id);
    tablet.setAccess('host', 'live');
    laptop.setAccess('host', 'live');
    await until(tablet, () => tablet.synced, 'tablet synced');
    await until(laptop, () => laptop.synced, 'laptop synced');
    const id = tablet.view.items[1]!.id;
    tablet.edit((doc) => {
      (findItem(doc, id)!.get('notes') as Y.XmlFragment).insert(0, [paragraph('3号楼东侧划临时车位')]);
      (findItem(doc, id)!.get('decision') as Y.XmlFragment).insert(0, [paragraph('物业本月完成')]);
    });
    tablet.deleteItem(id, '李书记');
    await until(laptop, () => laptop.deleted.some((d) => d.id === id), 'deletion seen');
    expect(laptop.deleted[0]).toMatchObject({ id, title: '各楼栋反映问题', deletedBy: '李书记' });
    expect(laptop.restoreItem(id)).toBe(true);
    await until(tablet, () => tablet.view.items[1]?.id === id, 'restored on the tablet');
    const restored = readAgenda(tablet.doc).items[1]!;
    expect(restored).toMatchObject({ title: '各楼栋反映问题', notesText: '3号楼东侧划临时车位', decisionText: '物业本月完成' });
  });

  it('after a 4409 keeps what the server did not take, and goes on from the server’s copy, read-only', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode);
    const live = open(guest.client, meeting.id);
    live.setAccess('participant', 'live');
    await until(live, () => live.synced, 'synced');
    live.provider.disconnect();
    const id = live.view.items[1]!.id;
    live.edit((doc) => (findItem(doc, id)!.get('notes') as Y.XmlFragment).insert(0, [paragraph('5栋：楼道灯不亮')]));
    expect((await host.client.post(`/api/meetings/${meeting.id}/end`, {})).status).toBe(200);
    live.setAccess('participant', 'closed');
    live.provider.connect();

    await until(live, () => live.generation === 1 && live.synced, 'recovered from the server copy');
    expect(live.refused).toEqual([{ itemId: id, title: '各楼栋反映问题', field: 'notes', text: '5栋：楼道灯不亮' }]);
    expect(live.notice).toBe(errorMessage('read_only', 'zh-CN'));
    expect(readAgenda(live.doc).items[1]!.notesText).toBe('');
    expect(live.pending).toBe(0);
    expect(live.state).toBe('connected');
    // Live again: the host's edit after the end arrives.
    const hostLive = open(host.client, meeting.id);
    await until(hostLive, () => hostLive.synced, 'host synced');
    hostLive.updateItem(id, { title: '各楼栋反映问题（会后）' });
    await until(live, () => titles(live)[1] === '各楼栋反映问题（会后）', 'host edit seen after recovery');
    live.dismissRefused();
    expect(live.refused).toEqual([]);
  });

  it('derives write rights from role and meeting status', () => {
    const live = detached();
    live.setAccess('participant', 'closed');
    expect([live.writable, live.mayDelete]).toEqual([false, false]);
    live.setAccess('secretary', 'closed');
    expect([live.writable, live.mayDelete]).toEqual([true, true]);
    live.setAccess('host', 'final');
    expect([live.writable, live.mayDelete]).toEqual([false, false]);
  });
});

describe('refused edits', () => {
  it('lists what this browser has that the server lacks, field by field', () => {
    const server = new Y.Doc();
    const seed = detached();
    const id = seed.addItem({ title: '规范停车' });
    Y.applyUpdate(server, Y.encodeStateAsUpdate(seed.doc));
    seed.edit((doc) => (findItem(doc, id)!.get('notes') as Y.XmlFragment).insert(0, [paragraph('晚上消防通道被占')]));
    const added = seed.addItem({ title: '清理楼道杂物' });
    expect(refusedEdits(seed.doc, server)).toEqual([
      { itemId: id, title: '规范停车', field: 'notes', text: '晚上消防通道被占' },
      { itemId: added, title: '清理楼道杂物', field: 'item', text: '清理楼道杂物' },
    ]);
    expect(refusedEdits(server, server)).toEqual([]);
  });
});
