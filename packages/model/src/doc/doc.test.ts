import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  AGENDA_TEMPLATES,
  AGENDA_TEMPLATES_BY_LOCALE,
  SCHEMA_VERSION,
  agendaOf,
  closeCodeError,
  createAgendaItem,
  getFocus,
  isPermanentClose,
  keyBetween,
  metaOf,
  migrateMeetingDoc,
  moveItem,
  prepareMeetingDoc,
  readAgenda,
  removeAgendaItem,
  seedMeetingDoc,
  setFocus,
  setPlannedEnd,
  sortedItems,
  updateAgendaItem,
  YJS_CLOSE,
} from '../index.ts';
import { errorMessage } from '../errors.ts';

/** Two docs wired to each other, like two clients behind a server. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on(
    'update',
    (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'),
  );
  b.on(
    'update',
    (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'),
  );
  return { a, b };
}

const titles = (doc: Y.Doc) => readAgenda(doc).items.map((i) => i.title);

describe('order keys', () => {
  it('always sort strictly between their neighbours', () => {
    let keys = [keyBetween(null, null)];
    for (let i = 0; i < 200; i++) {
      const at = (i * 7) % (keys.length + 1);
      keys.splice(at, 0, keyBetween(keys[at - 1] ?? null, keys[at] ?? null));
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses keys that are out of order or malformed', () => {
    expect(() => keyBetween('b', 'a')).toThrow();
    expect(() => keyBetween('a0', null)).toThrow();
  });
});

describe('meeting document', () => {
  it('seeds the agenda template of the meeting kind', () => {
    const doc = new Y.Doc();
    seedMeetingDoc(doc, 'building-talk');
    const json = readAgenda(doc);
    expect(json.schemaVersion).toBe(SCHEMA_VERSION);
    expect(json.kind).toBe('building-talk');
    expect(json.focus).toBeNull();
    expect(json.items.map((i) => i.title)).toEqual([
      '上次事项推进',
      '各楼栋反映问题',
      '议定事项',
      '其他',
    ]);
    expect(json.totalMinutes).toBe(70);
    expect(json.items.every((i) => i.status === 'pending' && i.notes.length === 0)).toBe(true);
    for (const kind of Object.keys(AGENDA_TEMPLATES) as (keyof typeof AGENDA_TEMPLATES)[]) {
      const d = new Y.Doc();
      seedMeetingDoc(d, kind);
      expect(titles(d)).toEqual(AGENDA_TEMPLATES[kind].map((t) => t.title));
    }
  });

  it('seeds the agenda in the creator’s language: the same items and minutes, other words', () => {
    const cjk = /[\u3400-\u9fff]/;
    for (const kind of Object.keys(AGENDA_TEMPLATES) as (keyof typeof AGENDA_TEMPLATES)[]) {
      const minutes = AGENDA_TEMPLATES[kind].map((t) => t.minutes);
      for (const locale of ['zh-TW', 'en'] as const) {
        const d = new Y.Doc();
        seedMeetingDoc(d, kind, undefined, locale);
        const template = AGENDA_TEMPLATES_BY_LOCALE[locale][kind];
        expect(titles(d)).toEqual(template.map((t) => t.title));
        expect(template.map((t) => t.minutes)).toEqual(minutes);
        expect(template.some((t, i) => t.title !== AGENDA_TEMPLATES[kind][i]!.title)).toBe(true);
        if (locale === 'en') expect(template.filter((t) => cjk.test(t.title + t.presenter))).toEqual([]);
      }
    }
  });

  it('keeps the contract shape: agenda of Y.Maps with id and Y.Text title, meta.focus', () => {
    const doc = new Y.Doc();
    seedMeetingDoc(doc, 'salon');
    const first = agendaOf(doc).get(0);
    expect(first).toBeInstanceOf(Y.Map);
    expect(typeof first.get('id')).toBe('string');
    expect(first.get('title')).toBeInstanceOf(Y.Text);
    expect(first.get('notes')).toBeInstanceOf(Y.XmlFragment);
    expect(metaOf(doc).has('focus')).toBe(true);
  });

  it('creates, updates, moves, focuses and removes items', () => {
    const doc = new Y.Doc();
    const a = createAgendaItem(doc, { title: '文明养宠', minutes: 10 });
    const b = createAgendaItem(doc, { title: '规范停车', presenter: '物业经理' });
    const c = createAgendaItem(doc, { title: '清理楼道杂物', after: null });
    expect(titles(doc)).toEqual(['清理楼道杂物', '文明养宠', '规范停车']);
    expect(
      updateAgendaItem(doc, b, { status: 'discussing', minutes: 20, title: '规范停车（地面）' }),
    ).toBe(true);
    expect(() => updateAgendaItem(doc, b, { minutes: -1 })).toThrow();
    expect(() => updateAgendaItem(doc, b, { status: 'maybe' as never })).toThrow();
    expect(moveItem(doc, c, 2)).toBe(true);
    expect(titles(doc)).toEqual(['文明养宠', '规范停车（地面）', '清理楼道杂物']);
    expect(setFocus(doc, b)).toBe(true);
    expect(setFocus(doc, 'nope')).toBe(false);
    expect(getFocus(doc)).toBe(b);
    setPlannedEnd(doc, '2025-11-20T21:00:00+08:00');
    expect(() => setPlannedEnd(doc, 'tonight')).toThrow();
    expect(removeAgendaItem(doc, b)).toBe(true);
    expect(getFocus(doc)).toBeNull();
    const json = readAgenda(doc);
    expect(json.items.map((i) => i.id)).toEqual([a, c]);
    expect(json.plannedEnd).toBe('2025-11-20T21:00:00+08:00');
    expect(json.totalMinutes).toBe(10);
  });

  it('a move keeps identity: a concurrent edit to the moved item survives', () => {
    const { a, b } = pair();
    seedMeetingDoc(a, 'general');
    const id = readAgenda(a).items[0]!.id;
    // Offline from each other: one moves the item, the other types into its notes.
    const updatesA: Uint8Array[] = [];
    const updatesB: Uint8Array[] = [];
    const a2 = new Y.Doc();
    const b2 = new Y.Doc();
    Y.applyUpdate(a2, Y.encodeStateAsUpdate(a));
    Y.applyUpdate(b2, Y.encodeStateAsUpdate(b));
    a2.on('update', (u: Uint8Array) => updatesA.push(u));
    b2.on('update', (u: Uint8Array) => updatesB.push(u));
    moveItem(a2, id, 2);
    const notes = sortedItems(b2)
      .find((i) => i.get('id') === id)!
      .get('notes') as Y.XmlFragment;
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText('张阿姨反映：车位不够')]);
    notes.insert(0, [p]);
    for (const u of updatesA) Y.applyUpdate(b2, u);
    for (const u of updatesB) Y.applyUpdate(a2, u);
    for (const doc of [a2, b2]) {
      const items = readAgenda(doc).items;
      expect(items.map((i) => i.id).indexOf(id)).toBe(2);
      expect(items.find((i) => i.id === id)!.notesText).toBe('张阿姨反映：车位不够');
    }
  });

  it('concurrent inserts at the same place converge to the same order', () => {
    const { a, b } = pair();
    seedMeetingDoc(a, 'general');
    const a2 = new Y.Doc();
    const b2 = new Y.Doc();
    Y.applyUpdate(a2, Y.encodeStateAsUpdate(a));
    Y.applyUpdate(b2, Y.encodeStateAsUpdate(b));
    const first = readAgenda(a2).items[0]!.id;
    createAgendaItem(a2, { title: 'A', after: first });
    createAgendaItem(b2, { title: 'B', after: first });
    Y.applyUpdate(a2, Y.encodeStateAsUpdate(b2));
    Y.applyUpdate(b2, Y.encodeStateAsUpdate(a2));
    expect(titles(a2)).toEqual(titles(b2));
    // A tie must not break later moves.
    const last = readAgenda(a2).items.at(-1)!.id;
    expect(moveItem(a2, last, 1)).toBe(true);
    expect(readAgenda(a2).items[1]!.id).toBe(last);
  });

  it('reads rich text notes as JSON and text', () => {
    const doc = new Y.Doc();
    const id = createAgendaItem(doc, { title: '议定事项' });
    const notes = sortedItems(doc)[0]!.get('decision') as Y.XmlFragment;
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('level', 2 as unknown as string);
    const text = new Y.XmlText();
    text.insert(0, '更换健身器材', { bold: true });
    heading.insert(0, [text]);
    const list = new Y.XmlElement('bulletList');
    const li = new Y.XmlElement('listItem');
    const para = new Y.XmlElement('paragraph');
    para.insert(0, [new Y.XmlText('物业负责，月底前')]);
    li.insert(0, [para]);
    list.insert(0, [li]);
    notes.insert(0, [heading, list]);
    const item = readAgenda(doc).items.find((i) => i.id === id)!;
    expect(item.decision[0]).toEqual({
      type: 'heading',
      attrs: { level: 2 },
      content: [{ type: 'text', text: '更换健身器材', marks: [{ type: 'bold' }] }],
    });
    expect(item.decisionText).toBe('更换健身器材\n- 物业负责，月底前');
  });

  it('reads a document with garbage fields without throwing', () => {
    const doc = new Y.Doc();
    const bad = new Y.Map<unknown>();
    bad.set('id', 'x');
    bad.set('title', 42);
    bad.set('minutes', 'lots');
    bad.set('status', 'whatever');
    bad.set('order', '!!');
    agendaOf(doc).push([bad]);
    metaOf(doc).set('focus', 'nope');
    const json = readAgenda(doc);
    expect(json.items[0]).toMatchObject({ id: 'x', title: '', minutes: 0, status: 'pending' });
    expect(json.focus).toBeNull();
    // A new item next to a malformed key still gets a valid place.
    createAgendaItem(doc, { title: 'ok', after: 'x' });
    expect(titles(doc)).toEqual(['', 'ok']);
  });

  it('prepare seeds an empty doc once, then migrates or does nothing', () => {
    const doc = new Y.Doc();
    const seed = prepareMeetingDoc(doc, 'joint');
    expect(seed).not.toBeNull();
    const copy = new Y.Doc();
    Y.applyUpdate(copy, seed!);
    expect(readAgenda(copy)).toEqual(readAgenda(doc));
    expect(prepareMeetingDoc(doc, 'joint')).toBeNull();

    const old = new Y.Doc();
    createAgendaItem(old, { title: '旧议程' });
    expect(migrateMeetingDoc(old)).toBe(0);
    expect(readAgenda(old).schemaVersion).toBe(SCHEMA_VERSION);
    metaOf(old).set('schemaVersion', SCHEMA_VERSION + 1);
    expect(() => migrateMeetingDoc(old)).toThrow(/newer/);
  });
});

describe('close codes', () => {
  it('map to localized messages and the provider reconnect rule', () => {
    expect(isPermanentClose(YJS_CLOSE.forbidden)).toBe(true);
    expect(isPermanentClose(YJS_CLOSE.tooManyConnections)).toBe(false);
    expect(isPermanentClose(YJS_CLOSE.storageFailed)).toBe(false);
    for (const code of Object.values(YJS_CLOSE)) {
      const error = closeCodeError(code)!;
      for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
        // Unknown codes fall back to the internal message: every mapped code must have its own.
        if (error !== 'internal')
          expect(errorMessage(error, locale)).not.toBe(errorMessage('internal', locale));
      }
    }
    expect(errorMessage(closeCodeError(4529)!, 'zh-CN')).toContain('窗口');
  });
});
