import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAgendaItem, readAgenda, removeAgendaItem } from '@yishi/model';
import { TokenBucket } from '../limits.ts';
import { decodeAwareness, encodeAwareness } from './awareness.ts';
import {
  InvalidMessage,
  isRedundantUpdate,
  parseMessage,
  syncStep1Message,
  updateMessage,
} from './protocol.ts';

describe('y-websocket messages', () => {
  it('parses what the stock provider sends and refuses anything else', () => {
    const doc = new Y.Doc();
    createAgendaItem(doc, { title: '规范停车' });
    expect(parseMessage(syncStep1Message(doc)).type).toBe('sync-step1');
    const update = Y.encodeStateAsUpdate(doc);
    const parsed = parseMessage(updateMessage(update));
    expect(parsed).toMatchObject({ type: 'update', update });
    expect(parsed.type === 'update' && parsed.decoded.structs.length).toBe(Y.decodeUpdate(update).structs.length);
    for (const bad of [
      new Uint8Array([]),
      new Uint8Array([2, 0]),
      new Uint8Array([0, 3, 0]),
      new Uint8Array([3, 0]),
    ]) {
      expect(() => parseMessage(bad)).toThrow(InvalidMessage);
    }
  });

  it('knows when an update would change nothing (reconnect sync-step-2)', () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    const id = createAgendaItem(client, { title: '清理楼道杂物' });
    createAgendaItem(client, { title: '文明养宠' });
    removeAgendaItem(client, id);
    const full = Y.encodeStateAsUpdate(client);
    expect(isRedundantUpdate(server, full)).toBe(false);
    Y.applyUpdate(server, full);
    expect(isRedundantUpdate(server, full)).toBe(true);
    // What a reconnecting client sends: nothing new, but its whole delete set.
    expect(
      isRedundantUpdate(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server))),
    ).toBe(true);
    const later = readAgenda(client).items[0]!.id;
    const before = Y.encodeStateVector(client);
    removeAgendaItem(client, later);
    expect(isRedundantUpdate(server, Y.encodeStateAsUpdate(client, before))).toBe(false);
  });
});

describe('awareness', () => {
  it('round-trips entries and refuses states that are not JSON', () => {
    const entries = [
      { clientId: 7, clock: 3, state: '{"user":{"name":"王樓長"}}' },
      { clientId: 9, clock: 1, state: 'null' },
    ];
    expect(decodeAwareness(encodeAwareness(entries))).toEqual(entries);
    expect(() => decodeAwareness(encodeAwareness([{ clientId: 1, clock: 1, state: '{' }]))).toThrow(
      InvalidMessage,
    );
    expect(() => decodeAwareness(new Uint8Array([5, 1]))).toThrow(InvalidMessage);
  });

  it('token bucket: a burst, then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now += 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
