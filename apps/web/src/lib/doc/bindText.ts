import type * as Y from 'yjs';
import { applyTextEdit, transformIndex, type TextDelta } from '@yishi/model';

/** Origin of the input's own writes, so its observer can tell them from remote ones (undo tracks it). */
export const TEXT_ORIGIN = Symbol('text-input');
const LOCAL = TEXT_ORIGIN;

/**
 * Binds an `<input>` to a Y.Text both ways without losing anyone's characters:
 * - a keystroke becomes the minimal diff against the text the user saw (never a rewrite), so a
 *   peer typing elsewhere in the same title keeps their characters;
 * - during IME composition (拼音, 注音, 手寫) the Y.Text is left alone and remote changes are
 *   queued: writing the input's value mid-composition would cancel the candidate window. At
 *   compositionend the composed text is applied through the queued changes.
 */
export function bindText(node: HTMLInputElement, text: Y.Text) {
  let current = text;
  /** The text the input showed after our last sync with the Y.Text. */
  let base = '';
  let queued: TextDelta[] = [];
  let composing = false;

  function show(value: string, caret?: [number, number]) {
    base = value;
    if (node.value !== value) node.value = value;
    if (caret && document.activeElement === node) node.setSelectionRange(caret[0], caret[1]);
  }

  function commit() {
    const caret = applyTextEdit(current, base, node.value, queued, LOCAL);
    queued = [];
    const fresh = current.toString();
    if (fresh === node.value) base = fresh;
    // Remote changes merged in (or a limit cut the text): show the result, caret after our edit.
    else show(fresh, caret === null ? undefined : [caret, caret]);
  }

  const onInput = (event: Event) => {
    if (composing || (event as InputEvent).isComposing) return;
    commit();
  };
  const onCompositionStart = () => {
    composing = true;
  };
  const onCompositionEnd = () => {
    composing = false;
    commit();
  };
  const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
    if (transaction.origin === LOCAL) return;
    const delta = event.delta as TextDelta;
    if (composing) {
      queued.push(delta);
      return;
    }
    const start = node.selectionStart ?? 0;
    const end = node.selectionEnd ?? start;
    show(current.toString(), [transformIndex(start, delta), transformIndex(end, delta)]);
  };

  function attach(next: Y.Text) {
    current = next;
    queued = [];
    show(next.toString());
    next.observe(observer);
  }

  node.addEventListener('input', onInput);
  node.addEventListener('compositionstart', onCompositionStart);
  node.addEventListener('compositionend', onCompositionEnd);
  attach(text);

  return {
    update(next: Y.Text) {
      if (next === current) return;
      current.unobserve(observer);
      attach(next);
    },
    destroy() {
      current.unobserve(observer);
      node.removeEventListener('input', onInput);
      node.removeEventListener('compositionstart', onCompositionStart);
      node.removeEventListener('compositionend', onCompositionEnd);
    },
  };
}
