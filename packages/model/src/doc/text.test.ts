import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { applyTextEdit, diffText, transformIndex, type TextDelta } from './text.ts';

/** A Y.Text with content and the deltas of its changes. */
function textWith(content: string) {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, content);
  const deltas: TextDelta[] = [];
  text.observe((event) => deltas.push(event.delta as TextDelta));
  return { doc, text, deltas };
}

describe('diffText', () => {
  it('finds the one replaced range', () => {
    expect(diffText('清理楼道', '清理楼道杂物')).toEqual({ index: 4, remove: 0, insert: '杂物' });
    expect(diffText('规范停车', '规范地面停车')).toEqual({ index: 2, remove: 0, insert: '地面' });
    expect(diffText('abcdef', 'abXef')).toEqual({ index: 2, remove: 2, insert: 'X' });
    expect(diffText('aaa', 'aa')).toEqual({ index: 2, remove: 1, insert: '' });
    expect(diffText('same', 'same')).toBeNull();
  });

  it('never splits a surrogate pair', () => {
    // '😀' and '😃' share their high surrogate.
    const change = diffText('a😀b', 'a😃b')!;
    expect(change).toEqual({ index: 1, remove: 2, insert: '😃' });
  });
});

describe('transformIndex', () => {
  it('moves a position through inserts and deletes before it, not after it', () => {
    expect(transformIndex(3, [{ insert: 'xy' }])).toBe(5);
    expect(transformIndex(3, [{ retain: 5 }, { insert: 'xy' }])).toBe(3);
    expect(transformIndex(3, [{ retain: 3 }, { insert: 'xy' }])).toBe(3);
    expect(transformIndex(3, [{ retain: 3 }, { insert: 'xy' }], true)).toBe(5);
    expect(transformIndex(3, [{ delete: 2 }])).toBe(1);
    expect(transformIndex(3, [{ retain: 1 }, { delete: 5 }])).toBe(1);
    expect(transformIndex(3, [{ retain: 4 }, { delete: 5 }])).toBe(3);
  });
});

describe('applyTextEdit', () => {
  it('applies a local edit as a minimal change', () => {
    const { text, deltas } = textWith('上次事项');
    expect(applyTextEdit(text, '上次事项', '上次事项推进')).toBe(6);
    expect(text.toString()).toBe('上次事项推进');
    expect(deltas.at(-1)).toEqual([{ retain: 4 }, { insert: '推进' }]);
  });

  it('keeps a remote change that arrived while the user was composing', () => {
    const { text, deltas } = textWith('楼道杂物');
    const base = text.toString();
    // Someone else prepends while this user composes 清理 in front of 杂物.
    text.insert(0, '【急】');
    const remote = [...deltas];
    const caret = applyTextEdit(text, base, '楼道清理杂物', remote);
    expect(text.toString()).toBe('【急】楼道清理杂物');
    expect(caret).toBe(7);
  });

  it('does not delete text inserted remotely inside the replaced range', () => {
    const { text, deltas } = textWith('abcdef');
    const base = text.toString();
    text.insert(2, 'XY');
    const remote = [...deltas];
    applyTextEdit(text, base, 'abef', remote);
    expect(text.toString()).toBe('abXYef');
  });

  it('converges with a concurrent peer', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.getText('t').insert(0, '文明养宠');
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    applyTextEdit(a.getText('t'), '文明养宠', '倡导文明养宠');
    applyTextEdit(b.getText('t'), '文明养宠', '文明养宠公约');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(a.getText('t').toString()).toBe('倡导文明养宠公约');
    expect(b.getText('t').toString()).toBe('倡导文明养宠公约');
  });
});
