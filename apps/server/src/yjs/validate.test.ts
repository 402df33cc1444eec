import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import {
  SAMPLE_CHARTER_DRAFT,
  agendaOf,
  charterOf,
  createAgendaItem,
  createCharter,
  decideAmendment,
  deleteAgendaItem,
  mergeClauseWithPrevious,
  metaOf,
  proposeAmendment,
  readAgenda,
  readCharter,
  setClauseStatus,
  setClauseText,
  splitClauseAt,
  updateCharter,
  withdrawAmendment,
} from '@yishi/model';
import { forgedDelete } from './testing.ts';
import { IngestGuard, MAX_DOC_DEPTH, type Sender } from './validate.ts';

const host: Sender = { mayDeleteItems: true, mayDecideCharter: true, ownClients: new Set() };
const resident = (own: number[] = []): Sender => ({ mayDeleteItems: false, mayDecideCharter: false, ownClients: new Set(own) });

/** A server document with its guard, and a client that syncs with it through the guard. */
function setup() {
  const server = new Y.Doc();
  const guard = new IngestGuard(server);
  const client = () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
    return doc;
  };
  /** Checks and applies what the client has that the server lacks; answers the verdict. */
  const push = (doc: Y.Doc, sender: Sender = host) => {
    const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server));
    const verdict = guard.check(update, sender);
    if (verdict.ok) {
      Y.applyUpdate(server, update);
      guard.release(verdict.ticket);
    }
    return verdict;
  };
  const pull = (doc: Y.Doc) => Y.applyUpdate(doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(doc)));
  return { server, guard, client, push, pull };
}

/** Nests `depth` XML elements in a new agenda item's notes, in one update. */
function nest(doc: Y.Doc, depth: number): void {
  const id = createAgendaItem(doc, { title: '深' });
  const item = agendaOf(doc).toArray().find((m) => m.get('id') === id)!;
  doc.transact(() => {
    let parent: Y.XmlFragment | Y.XmlElement = item.get('notes') as Y.XmlFragment;
    for (let i = 0; i < depth; i++) {
      const child = new Y.XmlElement('p');
      parent.insert(0, [child]);
      parent = child;
    }
  });
}

describe('validated ingest', () => {
  it('accepts ordinary editing: items, titles, notes with lists, meta, a host deleting', () => {
    const { client, push, server } = setup();
    const a = client();
    const id = createAgendaItem(a, { title: '楼道灯' });
    expect(push(a).ok).toBe(true);
    nest(a, 20);
    metaOf(a).set('focus', id);
    expect(push(a).ok).toBe(true);
    deleteAgendaItem(a, id, { name: '主持人', at: Date.now() });
    expect(push(a, host).ok).toBe(true);
    expect(readAgenda(server).items.map((i) => i.title)).toEqual(['深']);
  });

  it('refuses nesting deeper than the limit, in one update or across two', () => {
    const { client, push } = setup();
    const a = client();
    nest(a, 6000);
    expect(push(a)).toEqual({ ok: false, reason: `nesting deeper than ${MAX_DOC_DEPTH} levels` });
    const b = client();
    nest(b, MAX_DOC_DEPTH - 4);
    expect(push(b).ok).toBe(true);
    // Deeper inside what is already there: the depth counts from the root.
    const notes = (agendaOf(b).get(0).get('notes') as Y.XmlFragment);
    let deepest: Y.XmlElement = notes.get(0) as Y.XmlElement;
    while (deepest.length) deepest = deepest.get(0) as Y.XmlElement;
    b.transact(() => {
      let parent = deepest;
      for (let i = 0; i < 10; i++) {
        const child = new Y.XmlElement('p');
        parent.insert(0, [child]);
        parent = child;
      }
    });
    expect(push(b).ok).toBe(false);
  });

  it('refuses a delete of clocks the server never saw (another client’s future edits)', () => {
    const { client, push, server, guard } = setup();
    const a = client();
    createAgendaItem(a, { title: '甲' });
    expect(push(a).ok).toBe(true);
    const victim = a.clientID;
    // 0..2^53 of the victim's clocks, as a bare delete set.
    const forged = forgedDelete(victim, 0, 2 ** 53 - 1);
    expect(guard.check(forged, host)).toEqual({ ok: false, reason: 'delete reaches past known clocks' });
    // Within the known clocks, deleting is an ordinary edit.
    expect(guard.check(forgedDelete(victim, 0, 1), host).ok).toBe(true);
    expect(Y.getState(server.store, victim)).toBeGreaterThan(0);
  });

  it('refuses gaps, unknown roots and the wrong kind of content in a root', () => {
    const { client, push, guard } = setup();
    const a = client();
    createAgendaItem(a, { title: '一' });
    const first = Y.encodeStateAsUpdate(a);
    createAgendaItem(a, { title: '二' });
    const onlySecond = Y.encodeStateAsUpdate(a, Y.encodeStateVectorFromUpdate(first));
    expect(guard.check(onlySecond, host)).toEqual({ ok: false, reason: 'update skips clocks the server does not have' });
    const stray = new Y.Doc();
    stray.getText('secret').insert(0, 'x');
    expect(guard.check(Y.encodeStateAsUpdate(stray), host)).toEqual({ ok: false, reason: 'unknown root "secret"' });
    const wrong = new Y.Doc();
    wrong.getArray('meta').push(['x']);
    expect(guard.check(Y.encodeStateAsUpdate(wrong), host)).toEqual({ ok: false, reason: 'wrong kind of content in root "meta"' });
    expect(push(a).ok).toBe(true);
  });

  it('a resident cannot delete someone else’s agenda item, but may take back their own', () => {
    const { client, push, pull } = setup();
    const h = client();
    const hostItem = createAgendaItem(h, { title: '物业费' });
    expect(push(h).ok).toBe(true);
    const r = client();
    pull(r);
    const own = createAgendaItem(r, { title: '我的' });
    expect(push(r, resident([r.clientID])).ok).toBe(true);
    deleteAgendaItem(r, own, { name: '居民', at: Date.now() });
    expect(push(r, resident([r.clientID])).ok).toBe(true);
    deleteAgendaItem(r, hostItem, { name: '居民', at: Date.now() });
    expect(push(r, resident([r.clientID]))).toEqual({ ok: false, reason: 'only the host or the secretary may delete an agenda item' });
  });

  it('accepts the host running a charter: draft, split, merge, statuses, decisions', () => {
    const { client, push, server } = setup();
    const h = client();
    createCharter(h, { draft: SAMPLE_CHARTER_DRAFT });
    expect(push(h).ok).toBe(true);
    const [first, second] = readCharter(h)!.clauses;
    const part = splitClauseAt(h, first!.id, 4)!;
    expect(push(h).ok).toBe(true);
    mergeClauseWithPrevious(h, part);
    setClauseText(h, second!.id, '第二条 改过的。');
    updateCharter(h, { status: 'deliberating' });
    expect(push(h).ok).toBe(true);
    const amendment = proposeAmendment(h, second!.id, { kind: 'replace', text: '第二条 再改。', byUserId: 'u1', byName: '主持人', at: 1 })!;
    decideAmendment(h, second!.id, amendment, { outcome: 'accepted', votes: { yes: 2, no: 0, abstain: 0 } });
    setClauseStatus(h, second!.id, 'agreed');
    expect(push(h).ok).toBe(true);
    expect(readCharter(server)!.clauses[1]!.text).toBe('第二条 再改。');
  });

  it('a resident may propose, edit and withdraw amendments, but not decide or touch the clauses', () => {
    const { client, push, pull, server } = setup();
    const h = client();
    createCharter(h, { draft: SAMPLE_CHARTER_DRAFT });
    updateCharter(h, { status: 'deliberating' });
    expect(push(h).ok).toBe(true);
    const r = client();
    pull(r);
    const me = resident([r.clientID]);
    const clause = readCharter(r)!.clauses[2]!;
    const mine = proposeAmendment(r, clause.id, { kind: 'replace', text: '第三条 新的说法。', byUserId: 'u-r', byName: '居民', at: 1 })!;
    expect(push(r, me).ok).toBe(true);
    const amendmentMap = (doc: Y.Doc = r) => (charterOf(doc).get('clauses') as Y.Array<Y.Map<unknown>>).toArray().find((c) => c.get('id') === clause.id)!.get('amendments') as Y.Array<Y.Map<unknown>>;
    amendmentMap().get(0).set('text', '第三条 更新的说法。');
    expect(push(r, me).ok).toBe(true);
    expect(withdrawAmendment(r, clause.id, mine, 'u-r')).toBe(true);
    expect(push(r, me).ok).toBe(true);
    expect(readCharter(server)!.clauses[2]!.amendments[0]).toMatchObject({ text: '第三条 更新的说法。', status: 'withdrawn' });

    const refusals: [string, (doc: Y.Doc) => void][] = [
      ['clause status', (d) => setClauseStatus(d, clause.id, 'agreed')],
      ['clause text', (d) => setClauseText(d, clause.id, '第三条 私改。')],
      ['charter status', (d) => updateCharter(d, { status: 'adopted' })],
      ['amendment decision', (d) => amendmentMap(d).get(0).set('status', 'accepted')],
      ['amendment poll', (d) => amendmentMap(d).get(0).set('pollId', 'p1')],
      ['a decided new amendment', (d) => {
        const id = proposeAmendment(d, clause.id, { kind: 'delete', text: '', byUserId: 'u-r', byName: '居民', at: 2 })!;
        decideAmendment(d, clause.id, id, { outcome: 'accepted' });
      }],
      ['merging clauses', (d) => mergeClauseWithPrevious(d, clause.id)],
      // Set and removed in one transaction: deleted content that would clear the status (reads open).
      ['clearing a withdrawn amendment’s status', (d) => {
        const a = amendmentMap(d).get(0);
        d.transact(() => {
          a.set('status', 'withdrawn');
          a.delete('status');
        });
      }],
      ['a new draft', (d) => charterOf(d).set('clauses', new Y.Array())],
    ];
    for (const [what, edit] of refusals) {
      const doc = client();
      edit(doc);
      const verdict = push(doc, resident([doc.clientID]));
      expect(verdict.ok, what).toBe(false);
      if (!verdict.ok) expect(verdict.reason, what).toMatch(/host or the secretary|starts open/);
    }
    expect(readCharter(server)!.clauses[2]!.status).toBe('pending');
  });

  it('a resident proposes only in their own name (probe: a guest put the host’s name on an amendment)', () => {
    const { client, push, pull } = setup();
    const h = client();
    createCharter(h, { draft: SAMPLE_CHARTER_DRAFT });
    updateCharter(h, { status: 'deliberating' });
    expect(push(h).ok).toBe(true);
    const clause = readCharter(h)!.clauses[1]!;
    const as = (doc: Y.Doc): Sender => ({ ...resident([doc.clientID]), who: { userId: 'u-r', names: ['王楼长'] } });
    const forged: [string, { byUserId: string; byName: string }][] = [
      ['the host’s id and name', { byUserId: 'u-host', byName: '主持人' }],
      ['own id, the host’s name', { byUserId: 'u-r', byName: '主持人' }],
      ['the host’s id, own name', { byUserId: 'u-host', byName: '王楼长' }],
    ];
    for (const [what, by] of forged) {
      const doc = client();
      pull(doc);
      proposeAmendment(doc, clause.id, { kind: 'replace', text: '第二条 改。', ...by, at: 1 });
      const verdict = push(doc, as(doc));
      expect(verdict.ok, what).toBe(false);
      if (!verdict.ok) expect(verdict.reason, what).toMatch(/own name/);
    }
    const honest = client();
    pull(honest);
    proposeAmendment(honest, clause.id, { kind: 'replace', text: '第二条 改。', byUserId: 'u-r', byName: '王楼长', at: 1 });
    expect(push(honest, as(honest)).ok).toBe(true);
  });

  it('never refuses what honest clients send to a charter (residents proposing and withdrawing, the host deciding, offline merges)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('propose' as const), who: fc.integer({ min: 1, max: 2 }), clause: fc.nat(20), amend: fc.constantFrom('replace' as const, 'insert' as const, 'delete' as const), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('withdraw' as const), who: fc.integer({ min: 1, max: 2 }), pick: fc.nat(20) }),
      fc.record({ kind: fc.constant('decide' as const), pick: fc.nat(20), accept: fc.boolean() }),
      fc.record({ kind: fc.constant('mark' as const), clause: fc.nat(20), status: fc.constantFrom('pending' as const, 'agreed' as const, 'deferred' as const, 'deleted' as const) }),
      fc.record({ kind: fc.constant('sync' as const), who: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const { client, push, pull, server } = setup();
        const h = client();
        createCharter(h, { draft: SAMPLE_CHARTER_DRAFT });
        updateCharter(h, { status: 'deliberating' });
        expect(push(h).ok).toBe(true);
        const docs = [h, client(), client()];
        const sender = (i: number) => (i === 0 ? host : resident([docs[i]!.clientID]));
        const users = ['u-host', 'u-1', 'u-2'];
        for (const o of ops) {
          if (o.kind === 'sync') {
            expect(push(docs[o.who]!, sender(o.who))).toMatchObject({ ok: true });
            pull(docs[o.who]!);
            continue;
          }
          const doc = o.kind === 'propose' || o.kind === 'withdraw' ? docs[o.who]! : h;
          const charter = readCharter(doc)!;
          const all = charter.clauses.flatMap((c) => c.amendments.map((a) => ({ clause: c.id, a })));
          if (o.kind === 'propose') {
            const c = charter.clauses[o.clause % charter.clauses.length]!;
            proposeAmendment(doc, c.id, { kind: o.amend, text: o.text.trim() || '改', byUserId: users[o.who]!, byName: `居民${o.who}`, at: 1 });
          } else if (o.kind === 'withdraw') {
            const mine = all.filter((x) => x.a.byUserId === users[o.who] && x.a.status === 'open');
            const pick = mine[o.pick % Math.max(1, mine.length)];
            if (pick) withdrawAmendment(doc, pick.clause, pick.a.id, users[o.who]!);
          } else if (o.kind === 'decide') {
            const open = all.filter((x) => x.a.status === 'open');
            const pick = open[o.pick % Math.max(1, open.length)];
            if (pick) decideAmendment(h, pick.clause, pick.a.id, { outcome: o.accept ? 'accepted' : 'rejected' });
          } else {
            const c = charter.clauses[o.clause % charter.clauses.length]!;
            setClauseStatus(h, c.id, o.status);
          }
        }
        for (const [i, doc] of docs.entries()) expect(push(doc, sender(i))).toEqual({ ok: true, ticket: expect.anything() });
        expect(readCharter(server)!.clauses.length).toBeGreaterThanOrEqual(6);
      }),
      { numRuns: 60 },
    );
  });

  it('checks a resident’s update of 20,000 siblings in linear time (places are shared by siblings)', () => {
    const { client, push } = setup();
    const h = client();
    createAgendaItem(h, { title: '' });
    expect(push(h).ok).toBe(true);
    const r = client();
    const title = agendaOf(r).get(0).get('title') as Y.Text;
    // Inserting at the front each time: 20,000 items, each placed by the one after it.
    r.transact(() => {
      for (let i = 0; i < 20_000; i++) title.insert(0, '字');
    });
    const started = performance.now();
    expect(push(r, resident([r.clientID])).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('updates still in flight count as known: fast typing is never refused', () => {
    const { client, guard, server } = setup();
    const a = client();
    const pending: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => pending.push(u));
    createAgendaItem(a, { title: '' });
    const title = agendaOf(a).get(0).get('title') as Y.Text;
    for (const ch of '楼道灯不亮请物业处理') title.insert(title.length, ch);
    const tickets = pending.map((u) => guard.check(u, host));
    expect(tickets.every((t) => t.ok)).toBe(true);
    for (const u of pending) Y.applyUpdate(server, u);
    for (const t of tickets) if (t.ok) guard.release(t.ticket);
    expect(readAgenda(server).items[0]?.title).toBe('楼道灯不亮请物业处理');
  });

  it('never refuses what honest clients send (random concurrent edits, offline merges)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('item' as const), who: fc.nat(2), title: fc.string({ maxLength: 6 }) }),
      fc.record({ kind: fc.constant('title' as const), who: fc.nat(2), at: fc.nat(20), text: fc.string({ minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('notes' as const), who: fc.nat(2), at: fc.nat(20), depth: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('erase' as const), who: fc.nat(2), at: fc.nat(20) }),
      fc.record({ kind: fc.constant('sync' as const), who: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { client, push, pull, server } = setup();
        const docs = [client(), client(), client()];
        for (const o of ops) {
          const doc = docs[o.who]!;
          const items = agendaOf(doc).toArray();
          const item = items.length ? items[('at' in o ? o.at : 0) % items.length] : undefined;
          if (o.kind === 'item') createAgendaItem(doc, { title: o.title || '议题' });
          else if (o.kind === 'title' && item) (item.get('title') as Y.Text).insert(0, o.text);
          else if (o.kind === 'notes' && item) {
            doc.transact(() => {
              let parent: Y.XmlFragment | Y.XmlElement = item.get('notes') as Y.XmlFragment;
              for (let i = 0; i < o.depth; i++) {
                const child = new Y.XmlElement(i % 2 ? 'listItem' : 'bulletList');
                parent.insert(parent.length, [child]);
                parent = child;
              }
              parent.insert(0, [new Y.XmlText('字')]);
            });
          } else if (o.kind === 'erase' && item) {
            const title = item.get('title') as Y.Text;
            if (title.length) title.delete(0, 1);
            const notes = item.get('notes') as Y.XmlFragment;
            if (notes.length) notes.delete(0, 1);
          } else if (o.kind === 'sync') {
            const verdict = push(doc, resident([doc.clientID]));
            if (!verdict.ok) throw new Error(verdict.reason);
            pull(doc);
          }
        }
        for (const doc of docs) {
          const verdict = push(doc, resident([doc.clientID]));
          if (!verdict.ok) throw new Error(verdict.reason);
        }
        for (const doc of docs) pull(doc);
        for (const doc of docs) expect(readAgenda(doc)).toEqual(readAgenda(server));
      }),
      { numRuns: 200 },
    );
  });
});
