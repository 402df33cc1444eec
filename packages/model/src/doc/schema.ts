import * as Y from 'yjs';
import type { MeetingKind } from '../enums.ts';

/**
 * The shared meeting document (one Y.Doc per meeting). See docs/meeting-document.md.
 *
 * - `doc.getMap('meta')` (pinned by the contract: `focus`):
 *   `schemaVersion` number, `kind` MeetingKind, `focus` agenda item id | null,
 *   `plannedEnd` ISO datetime | null (the running total of minutes is shown against it).
 * - `doc.getArray('agenda')` (pinned: Y.Maps with `id` and `title`): one Y.Map per item with
 *   `id` string, `title` Y.Text, `presenter` string, `minutes` number (planned), `status`
 *   'pending' | 'discussing' | 'done', `order` fractional key (the display order; the array
 *   position means nothing), `notes` and `decision` Y.XmlFragment (Tiptap's Collaboration
 *   extension binds to them with `Collaboration.configure({ fragment })`).
 * - `doc.getArray('deleted')`: deleted agenda items, each a full copy of the item map plus
 *   `deletedAt` (epoch ms) and `deletedBy` (a name), so that host or secretary can restore one with
 *   its notes and decision from any client for the rest of the meeting.
 */
export const SCHEMA_VERSION = 1;

/** Root names, so that no one types them twice. */
export const DOC_ROOTS = { meta: 'meta', agenda: 'agenda', deleted: 'deleted', charter: 'charter' } as const;

export const AGENDA_STATUSES = ['pending', 'discussing', 'done'] as const;
export type AgendaStatus = (typeof AGENDA_STATUSES)[number];

/** Limits that accessors enforce on what they write (peers may still write anything). */
export const AGENDA_LIMITS = { title: 200, presenter: 64, minutes: 600, items: 200 } as const;

/** Field names inside one agenda item map. */
export type AgendaItemField =
  'id' | 'title' | 'presenter' | 'minutes' | 'status' | 'order' | 'notes' | 'decision';

/** One agenda item as it lives in the document. */
export type AgendaItemMap = Y.Map<unknown>;

/** The `meta` map of a meeting document. */
export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(DOC_ROOTS.meta);
}

/** The `agenda` array of a meeting document (unordered: sort by `order`, see readAgenda). */
export function agendaOf(doc: Y.Doc): Y.Array<AgendaItemMap> {
  return doc.getArray<AgendaItemMap>(DOC_ROOTS.agenda);
}

/** The `deleted` array: copies of deleted agenda items, kept for restoring. */
export function deletedOf(doc: Y.Doc): Y.Array<AgendaItemMap> {
  return doc.getArray<AgendaItemMap>(DOC_ROOTS.deleted);
}

/** The schema version a document says it has (0 for a document that never had one). */
export function schemaVersionOf(doc: Y.Doc): number {
  const v = metaOf(doc).get('schemaVersion');
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

/** The meeting kind a document was seeded for, if any. */
export function kindOf(doc: Y.Doc): MeetingKind | null {
  const v = metaOf(doc).get('kind');
  return typeof v === 'string' ? (v as MeetingKind) : null;
}
