import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { connectLive, type LiveSocket } from './voter.ts';

/** What one hostile guest sent during a flood, and what came back. */
export interface FloodCounts {
  awarenessQueries: number;
  awarenessBytesReceived: number;
  yjsConnections: number;
  badFrames: number;
  deepUpdates: number;
  socketEvents: number;
  socketConnections: number;
  joinGuesses: number;
  /** Bad frames the server did not refuse with a close (4400, or 1009 for size) within a second. */
  unrefused: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A y-websocket message of one sync sub-type carrying `payload`. */
function syncMessage(sub: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, sub);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** An update nesting `depth` XML elements in an agenda item's notes (the probe's poison). */
function deepUpdate(depth: number): Uint8Array {
  const doc = new Y.Doc();
  const fragment = new Y.XmlFragment();
  const item = new Y.Map<unknown>();
  item.set('id', `deep-${Math.random().toString(36).slice(2)}`);
  item.set('notes', fragment);
  doc.getArray('agenda').push([item]);
  // One transaction: 6,000 of them take seconds.
  doc.transact(() => {
    let parent: Y.XmlFragment | Y.XmlElement = fragment;
    for (let i = 0; i < depth; i++) {
      const child: Y.XmlElement = new Y.XmlElement('p');
      parent.insert(0, [child]);
      parent = child;
    }
  });
  return Y.encodeStateAsUpdate(doc);
}

/** Opens a raw /yjs socket with the guest's cookie; resolves once open (or on refusal). */
function rawYjs(yjsUrl: string, meetingId: string, cookie: string, counts: FloodCounts): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${yjsUrl}/${meetingId}`, { headers: { cookie } });
    ws.on('message', (data: Buffer) => (counts.awarenessBytesReceived += data.length));
    ws.once('open', () => {
      counts.yjsConnections++;
      resolve(ws);
    });
    ws.once('error', () => resolve(null));
    ws.once('unexpected-response', () => resolve(null));
  });
}

/**
 * One guest does the worst it can with stock clients, all at once, for `seconds`: awareness-query
 * floods (each answer is the whole room's presence), garbled and deep-tree Yjs frames over fresh
 * connections, a socket.io event flood that reconnects whenever it is cut off, and join-code
 * guessing over HTTP. Counts what it managed to send.
 */
export async function flood(options: { url: string; yjsUrl: string; meetingId: string; cookie: string; seconds: number }): Promise<FloodCounts> {
  const counts: FloodCounts = { awarenessQueries: 0, awarenessBytesReceived: 0, yjsConnections: 0, badFrames: 0, deepUpdates: 0, socketEvents: 0, socketConnections: 0, joinGuesses: 0, unrefused: 0 };
  const poison = syncMessage(2, deepUpdate(6000));
  const until = Date.now() + options.seconds * 1000;
  const garbage = [new Uint8Array([0, 9, 9]), new Uint8Array([1, 200, 200, 200]), new Uint8Array([0, 2, 5, 1, 2, 3])];

  const awareness = async () => {
    while (Date.now() < until) {
      const ws = await rawYjs(options.yjsUrl, options.meetingId, options.cookie, counts);
      if (!ws) {
        await sleep(50);
        continue;
      }
      while (ws.readyState === ws.OPEN && Date.now() < until) {
        for (let i = 0; i < 200; i++) ws.send(new Uint8Array([3]));
        counts.awarenessQueries += 200;
        await sleep(5);
      }
      ws.terminate();
    }
  };
  const frames = async () => {
    while (Date.now() < until) {
      const ws = await rawYjs(options.yjsUrl, options.meetingId, options.cookie, counts);
      if (!ws) {
        await sleep(50);
        continue;
      }
      const deep = counts.badFrames % 4 === 3;
      ws.send(deep ? poison : garbage[counts.badFrames % garbage.length]!);
      if (deep) counts.deepUpdates++;
      counts.badFrames++;
      // The server closes it (4400); should it not, the flood moves on after a second anyway.
      const closed = await Promise.race([
        new Promise<boolean>((r) => ws.once('close', (code: number) => r(code === 4400 || code === 1009)).once('error', () => r(false))),
        sleep(1000).then(() => false),
      ]);
      if (!closed) counts.unrefused++;
      ws.terminate();
    }
  };
  const events = async () => {
    while (Date.now() < until) {
      let socket: LiveSocket;
      try {
        socket = await connectLive(options.url, options.cookie);
      } catch {
        await sleep(50);
        continue;
      }
      counts.socketConnections++;
      while (socket.connected && Date.now() < until) {
        for (let i = 0; i < 100; i++) socket.emit('poll:list', { meetingId: options.meetingId }, () => {});
        counts.socketEvents += 100;
        await sleep(5);
      }
      socket.close();
    }
  };
  const guesses = async () => {
    while (Date.now() < until) {
      await fetch(`${options.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.66' }, body: JSON.stringify({ code: 'ABCDEFGHJ', name: '猜', affiliation: 'other' }) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      counts.joinGuesses++;
    }
  };
  await Promise.all([awareness(), frames(), events(), guesses(), guesses()]);
  return counts;
}
