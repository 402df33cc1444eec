import * as Y from 'yjs';
import { docUpdates } from '@yishi/db';
import type { Db } from '@yishi/db';
import { createAgendaItem, findItem, seedMeetingDoc } from '@yishi/model';

/** Rows per insert when seeding the update log (2 bind parameters each). */
const INSERT_CHUNK = 2_000;

const NOTE_TEXT =
  '王樓長反映三號樓樓道堆放雜物，影響消防通道；物業表示本周內清理並張貼告示。業委會建議增設電動車充電樁，規範停車。居民代表提出健身器材老化，希望與共建單位協商更新。';

/** Tiptap's shape of a note: paragraphs of text inside the item's notes fragment. */
function paragraph(fragment: Y.XmlFragment, text = ''): Y.XmlText {
  const p = new Y.XmlElement('paragraph');
  const t = new Y.XmlText(text);
  p.insert(0, [t]);
  fragment.push([p]);
  return t;
}

/**
 * A meeting document's log as a note taker makes it: one update per keystroke (some of them
 * backspaces, a new paragraph now and then), exactly `count` updates. Returns the log and the
 * typing client's final clock, so a reader can check it received everything.
 */
export function typingLog(count: number): { updates: Uint8Array[]; clientId: number; clock: number } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  seedMeetingDoc(doc, 'building-talk');
  const itemId = createAgendaItem(doc, { title: '各樓棟反映問題', presenter: '各樓長', minutes: 40 });
  const notes = findItem(doc, itemId)!.get('notes') as Y.XmlFragment;
  let text = paragraph(notes);
  let typed = 0;
  while (updates.length < count) {
    if (typed % 9 === 8 && text.length > 0) text.delete(text.length - 1, 1);
    else if (typed % 200 === 199) text = paragraph(notes);
    else text.insert(text.length, NOTE_TEXT[typed % NOTE_TEXT.length]!);
    typed++;
  }
  return { updates, clientId: doc.clientID, clock: Y.getState(doc.store, doc.clientID) };
}

/** A 3-hour meeting's document: `items` agenda items sharing `noteChars` characters of notes. */
export function meetingDocument(items: number, noteChars: number): { update: Uint8Array; itemIds: string[] } {
  const doc = new Y.Doc();
  doc.transact(() => {
    seedMeetingDoc(doc, 'joint');
    const per = Math.ceil(noteChars / items);
    let left = noteChars;
    for (let i = 0; i < items; i++) {
      const id = createAgendaItem(doc, { title: `議題 ${i + 1}：${['文明養寵', '規範停車', '清理樓道雜物', '健身器材更新'][i % 4]}`, presenter: '物業經理', minutes: Math.floor(180 / items), status: 'done' });
      const item = findItem(doc, id)!;
      const notes = item.get('notes') as Y.XmlFragment;
      let mine = Math.min(per, left);
      left -= mine;
      while (mine > 0) {
        const chunk = Math.min(mine, 120);
        paragraph(notes, NOTE_TEXT.repeat(2).slice(0, chunk));
        mine -= chunk;
      }
      paragraph(item.get('decision') as Y.XmlFragment, '議定：由物業牽頭，兩周內完成並公示。');
    }
  });
  const itemIds = (doc.getArray('agenda').toArray() as Y.Map<unknown>[]).map((m) => m.get('id') as string);
  return { update: Y.encodeStateAsUpdate(doc), itemIds };
}

/** Appends updates to a meeting's log, as the Yjs server would have. */
export async function appendUpdates(db: Db, meetingId: string, updates: Uint8Array[]): Promise<void> {
  for (let i = 0; i < updates.length; i += INSERT_CHUNK) {
    await db.insert(docUpdates).values(updates.slice(i, i + INSERT_CHUNK).map((update) => ({ meetingId, update })));
  }
}
