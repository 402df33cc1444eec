import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  agendaOf,
  createAgendaItem,
  deleteAgendaItem,
  DELETED_LIMIT,
  deletedOf,
  findItem,
  listDeleted,
  readAgenda,
  restoreAgendaItem,
  setFocus,
} from '../index.ts';

/** Two docs wired to each other, like two clients behind a server. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
  return { a, b };
}

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

describe('deleting and restoring agenda items', () => {
  it('keeps notes and decision, and another client restores the item where it was', () => {
    const { a, b } = pair();
    const first = createAgendaItem(a, { title: '规范停车' });
    const id = createAgendaItem(a, { title: '文明养宠', presenter: '5号楼孙楼长', minutes: 10 });
    createAgendaItem(a, { title: '清理楼道杂物' });
    (findItem(a, id)!.get('notes') as Y.XmlFragment).insert(0, [paragraph('草坪和电梯里有狗粪')]);
    (findItem(a, id)!.get('decision') as Y.XmlFragment).insert(0, [paragraph('设两处便袋点')]);
    setFocus(a, id);
    const before = readAgenda(a).items.find((i) => i.id === id)!;

    expect(deleteAgendaItem(a, id, { name: '张书记', at: 1_700_000_000_000 })).toBe(true);
    expect(readAgenda(b).items.map((i) => i.title)).toEqual(['规范停车', '清理楼道杂物']);
    expect(readAgenda(b).focus).toBeNull();
    expect(listDeleted(b)).toEqual([{ id, title: '文明养宠', deletedAt: 1_700_000_000_000, deletedBy: '张书记' }]);

    expect(restoreAgendaItem(b, id)).toBe(true);
    const after = readAgenda(a);
    expect(after.items.map((i) => i.title)).toEqual(['规范停车', '文明养宠', '清理楼道杂物']);
    expect(after.items[1]).toEqual(before);
    expect(listDeleted(a)).toEqual([]);
    expect(after.items[0]!.id).toBe(first);
  });

  it('restores once when two clients restore at the same moment', () => {
    const a = new Y.Doc();
    const id = createAgendaItem(a, { title: '议定事项' });
    deleteAgendaItem(a, id, { name: '记录员', at: 1 });
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    restoreAgendaItem(a, id);
    restoreAgendaItem(b, id);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    // Both copies arrive; readers show one item per id and both docs agree on which.
    expect(agendaOf(a).length).toBe(2);
    expect(readAgenda(a).items.map((i) => i.id)).toEqual([id]);
    expect(readAgenda(a)).toEqual(readAgenda(b));
    expect(listDeleted(a)).toEqual([]);
  });

  it('answers false for unknown ids and keeps at most DELETED_LIMIT copies', () => {
    const doc = new Y.Doc();
    expect(deleteAgendaItem(doc, 'nope', { name: 'x', at: 0 })).toBe(false);
    expect(restoreAgendaItem(doc, 'nope')).toBe(false);
    for (let i = 0; i < DELETED_LIMIT + 5; i++) {
      const id = createAgendaItem(doc, { title: `第${i}项` });
      deleteAgendaItem(doc, id, { name: 'x', at: i });
    }
    expect(deletedOf(doc).length).toBe(DELETED_LIMIT);
    expect(listDeleted(doc)[0]!.title).toBe(`第${DELETED_LIMIT + 4}项`);
    expect(agendaOf(doc).length).toBe(0);
  });

  it('reads a hostile deleted list tolerantly', () => {
    const doc = new Y.Doc();
    const junk = new Y.Map<unknown>();
    junk.set('id', 42);
    deletedOf(doc).push([junk]);
    (deletedOf(doc) as unknown as Y.Array<unknown>).push(['text']);
    expect(listDeleted(doc)).toEqual([]);
  });
});
