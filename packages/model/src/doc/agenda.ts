import * as Y from 'yjs';
import { z } from 'zod';
import { isOrderKey, keyBetween, keysAfter } from './order.ts';
import {
  AGENDA_LIMITS,
  AGENDA_STATUSES,
  agendaOf,
  deletedOf,
  metaOf,
  type AgendaItemMap,
  type AgendaStatus,
} from './schema.ts';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A fresh agenda item id (16 base32 characters, 80 random bits). Uses getRandomValues, which,
 * unlike randomUUID, also works on plain-http LAN addresses (not a "secure context").
 */
export function newItemId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte & 31];
  return id;
}

/** What a caller may set on an agenda item. */
export const agendaItemPatch = z
  .object({
    title: z.string().max(AGENDA_LIMITS.title),
    presenter: z.string().trim().max(AGENDA_LIMITS.presenter),
    minutes: z.number().int().min(0).max(AGENDA_LIMITS.minutes),
    status: z.enum(AGENDA_STATUSES),
  })
  .partial()
  .strict();
export type AgendaItemPatch = z.infer<typeof agendaItemPatch>;

/** Input of createAgendaItem: the patch fields plus where to put it. */
export interface NewAgendaItem extends AgendaItemPatch {
  /** Put the new item right after this item id; null = first; omitted = last. */
  after?: string | null;
  /** An id chosen by the caller (tests, templates); a fresh one otherwise. */
  id?: string;
}

function orderOf(item: AgendaItemMap): string {
  const order = item.get('order');
  return isOrderKey(order) ? order : '';
}

function idOf(item: AgendaItemMap): string {
  const id = item.get('id');
  return typeof id === 'string' ? id : '';
}

function byOrder(a: AgendaItemMap, b: AgendaItemMap): number {
  const oa = orderOf(a);
  const ob = orderOf(b);
  if (oa !== ob) return oa < ob ? -1 : 1;
  // Two peers may pick the same key concurrently: the id breaks the tie the same way everywhere.
  const ia = idOf(a);
  const ib = idOf(b);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * The agenda item maps in display order, one per id: two clients restoring the same deleted item
 * at once both put a copy back, and every reader shows the same one (the first in order).
 */
export function sortedItems(doc: Y.Doc): AgendaItemMap[] {
  const seen = new Set<string>();
  return agendaOf(doc)
    .toArray()
    .filter((item): item is AgendaItemMap => item instanceof Y.Map)
    .sort(byOrder)
    .filter((item) => {
      const id = idOf(item);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/** The item map with this id, or null. */
export function findItem(doc: Y.Doc, id: string): AgendaItemMap | null {
  return sortedItems(doc).find((item) => idOf(item) === id) ?? null;
}

/** Gives every item a fresh, strictly increasing key in the current order (repairs ties). */
function rebalance(items: AgendaItemMap[]): void {
  const keys = keysAfter(null, items.length);
  items.forEach((item, i) => item.set('order', keys[i]!));
}

/** A key for position `index` in `items` (which must not contain the item being placed). */
function keyAt(items: AgendaItemMap[], index: number): string {
  const before = index > 0 ? items[index - 1] : undefined;
  const after = items[index];
  const a = before ? orderOf(before) : null;
  const b = after ? orderOf(after) : null;
  if (a === '' || b === '' || (a !== null && b !== null && a >= b)) {
    rebalance(items);
    return keyAt(items, index);
  }
  return keyBetween(a, b);
}

function writeFields(item: AgendaItemMap, patch: AgendaItemPatch): void {
  if (patch.title !== undefined) {
    const title = item.get('title');
    if (title instanceof Y.Text) {
      title.delete(0, title.length);
      title.insert(0, patch.title);
    } else {
      item.set('title', new Y.Text(patch.title));
    }
  }
  if (patch.presenter !== undefined) item.set('presenter', patch.presenter);
  if (patch.minutes !== undefined) item.set('minutes', patch.minutes);
  if (patch.status !== undefined) item.set('status', patch.status);
}

/** Adds an agenda item (empty notes and decision) and returns its id. Throws on invalid input. */
export function createAgendaItem(doc: Y.Doc, input: NewAgendaItem = {}, origin?: unknown): string {
  const { after, id: requestedId, ...fields } = input;
  const patch = agendaItemPatch.parse(fields);
  const id = requestedId ?? newItemId();
  doc.transact(() => {
    const items = sortedItems(doc);
    if (items.length >= AGENDA_LIMITS.items)
      throw new Error(`an agenda holds at most ${AGENDA_LIMITS.items} items`);
    let index = items.length;
    if (after === null) index = 0;
    else if (after !== undefined) {
      const at = items.findIndex((item) => idOf(item) === after);
      if (at >= 0) index = at + 1;
    }
    const item: AgendaItemMap = new Y.Map<unknown>();
    item.set('id', id);
    item.set('title', new Y.Text(patch.title ?? ''));
    item.set('presenter', patch.presenter ?? '');
    item.set('minutes', patch.minutes ?? 0);
    item.set('status', patch.status ?? 'pending');
    item.set('order', keyAt(items, index));
    item.set('notes', new Y.XmlFragment());
    item.set('decision', new Y.XmlFragment());
    agendaOf(doc).push([item]);
  }, origin);
  return id;
}

/** Changes fields of an item; false when there is no such item. Throws on invalid input. */
export function updateAgendaItem(
  doc: Y.Doc,
  id: string,
  patch: AgendaItemPatch,
  origin?: unknown,
): boolean {
  const valid = agendaItemPatch.parse(patch);
  const item = findItem(doc, id);
  if (!item) return false;
  doc.transact(() => writeFields(item, valid), origin);
  return true;
}

/** Removes an item (and clears the focus if it pointed there); false when there is no such item. */
export function removeAgendaItem(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const agenda = agendaOf(doc);
  const index = agenda.toArray().findIndex((item) => item instanceof Y.Map && idOf(item) === id);
  if (index < 0) return false;
  doc.transact(() => {
    agenda.delete(index, 1);
    if (metaOf(doc).get('focus') === id) metaOf(doc).set('focus', null);
  }, origin);
  return true;
}

/** Most deleted items kept for restoring; the oldest copy goes first beyond this. */
export const DELETED_LIMIT = 100;

/** A deleted agenda item as the restore list shows it. */
export interface DeletedItem {
  id: string;
  title: string;
  deletedAt: number;
  deletedBy: string;
}

/**
 * Deletes an item, keeping a full copy (title, notes, decision, fields) in `deleted` so that it can
 * be restored later from any client. False when there is no such item.
 */
export function deleteAgendaItem(
  doc: Y.Doc,
  id: string,
  by: { name: string; at: number },
  origin?: unknown,
): boolean {
  const agenda = agendaOf(doc);
  const index = agenda.toArray().findIndex((item) => item instanceof Y.Map && idOf(item) === id);
  if (index < 0) return false;
  doc.transact(() => {
    const copy = agenda.get(index).clone();
    copy.set('deletedAt', by.at);
    copy.set('deletedBy', by.name.slice(0, AGENDA_LIMITS.presenter));
    const deleted = deletedOf(doc);
    // Older copies of the same id (deleted, restored, deleted again) are superseded.
    const stale = deleted.toArray().flatMap((item, i) => (item instanceof Y.Map && idOf(item) === id ? [i] : []));
    for (const i of stale.reverse()) deleted.delete(i, 1);
    if (deleted.length >= DELETED_LIMIT) deleted.delete(0, deleted.length - DELETED_LIMIT + 1);
    deleted.push([copy]);
    agenda.delete(index, 1);
    if (metaOf(doc).get('focus') === id) metaOf(doc).set('focus', null);
  }, origin);
  return true;
}

/** The deleted items that can be restored, most recently deleted first. */
export function listDeleted(doc: Y.Doc): DeletedItem[] {
  return deletedOf(doc)
    .toArray()
    .filter((item): item is AgendaItemMap => item instanceof Y.Map)
    .map((item) => {
      const title = item.get('title');
      const at = item.get('deletedAt');
      const who = item.get('deletedBy');
      return {
        id: idOf(item),
        title: title instanceof Y.Text ? title.toString() : '',
        deletedAt: typeof at === 'number' && Number.isFinite(at) ? at : 0,
        deletedBy: typeof who === 'string' ? who : '',
      };
    })
    .filter((item) => item.id !== '')
    .reverse();
}

/**
 * Puts a deleted item back where it was (its id, order key, notes and decision), unless an item
 * with that id is on the agenda already. False when there is nothing to restore.
 */
export function restoreAgendaItem(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const deleted = deletedOf(doc);
  const index = deleted.toArray().findIndex((item) => item instanceof Y.Map && idOf(item) === id);
  if (index < 0) return false;
  const present = findItem(doc, id) !== null;
  // Checked before writing: Yjs does not roll a transaction back when it throws.
  if (!present && sortedItems(doc).length >= AGENDA_LIMITS.items)
    throw new Error(`an agenda holds at most ${AGENDA_LIMITS.items} items`);
  doc.transact(() => {
    const copy = deleted.get(index).clone();
    copy.delete('deletedAt');
    copy.delete('deletedBy');
    deleted.delete(index, 1);
    if (!present) agendaOf(doc).push([copy]);
  }, origin);
  return true;
}

/**
 * Moves an item to position `toIndex` of the displayed order. Only its `order` key changes, so
 * the item keeps its Y identity and concurrent edits to its title or notes are not lost.
 */
export function moveItem(doc: Y.Doc, id: string, toIndex: number, origin?: unknown): boolean {
  const items = sortedItems(doc);
  const item = items.find((candidate) => idOf(candidate) === id);
  if (!item) return false;
  const others = items.filter((candidate) => candidate !== item);
  const index = Math.max(0, Math.min(others.length, Math.trunc(toIndex)));
  doc.transact(() => item.set('order', keyAt(others, index)), origin);
  return true;
}

/** Shows an item to the room (projector and remote members follow); null clears the focus. */
export function setFocus(doc: Y.Doc, id: string | null, origin?: unknown): boolean {
  if (id !== null && !findItem(doc, id)) return false;
  doc.transact(() => metaOf(doc).set('focus', id), origin);
  return true;
}

/** The focused item id, or null (also when it points at an item that no longer exists). */
export function getFocus(doc: Y.Doc): string | null {
  const focus = metaOf(doc).get('focus');
  return typeof focus === 'string' && findItem(doc, focus) ? focus : null;
}

/** Sets the planned end of the meeting (ISO 8601 with offset), or clears it. */
export function setPlannedEnd(doc: Y.Doc, iso: string | null, origin?: unknown): void {
  const value = iso === null ? null : z.iso.datetime({ offset: true }).parse(iso);
  doc.transact(() => metaOf(doc).set('plannedEnd', value), origin);
}

/** The status values as a type guard, for readers of untrusted documents. */
export function isAgendaStatus(value: unknown): value is AgendaStatus {
  return typeof value === 'string' && (AGENDA_STATUSES as readonly string[]).includes(value);
}
