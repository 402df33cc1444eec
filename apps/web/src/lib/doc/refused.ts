import type * as Y from 'yjs';
import { readAgenda } from '@yishi/model';

/** Which part of an agenda item a refused edit was in. */
export type RefusedField = 'item' | 'title' | 'notes' | 'decision';

/** Text this browser had that the server did not take, for the person to read and copy. */
export interface RefusedEdit {
  itemId: string;
  /** The item's title as this browser had it (to say where the text was). */
  title: string;
  field: RefusedField;
  /** The text as this browser had it. */
  text: string;
}

/**
 * What `local` holds that `server` does not, item by item: a whole item the server never got, or
 * the title, notes or decision as this browser had them where they differ. Order and fields
 * without text (status, minutes, focus) are left out: nothing there is lost work to copy.
 */
export function refusedEdits(local: Y.Doc, server: Y.Doc): RefusedEdit[] {
  const theirs = new Map(readAgenda(server).items.map((item) => [item.id, item]));
  const out: RefusedEdit[] = [];
  for (const mine of readAgenda(local).items) {
    const stored = theirs.get(mine.id);
    if (!stored) {
      const text = [mine.title, mine.notesText, mine.decisionText].filter((t) => t.trim()).join('\n');
      if (text) out.push({ itemId: mine.id, title: mine.title, field: 'item', text });
      continue;
    }
    if (mine.title !== stored.title) out.push({ itemId: mine.id, title: mine.title, field: 'title', text: mine.title });
    if (mine.notesText !== stored.notesText) out.push({ itemId: mine.id, title: mine.title, field: 'notes', text: mine.notesText });
    if (mine.decisionText !== stored.decisionText)
      out.push({ itemId: mine.id, title: mine.title, field: 'decision', text: mine.decisionText });
  }
  return out;
}
