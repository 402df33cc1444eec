import * as Y from 'yjs';
import type { MeetingKind } from '../enums.ts';
import { createAgendaItem } from './agenda.ts';
import { metaOf, schemaVersionOf, SCHEMA_VERSION } from './schema.ts';
import { BASE_LOCALE, type Locale } from '../locale.ts';
import { AGENDA_TEMPLATES_BY_LOCALE } from './templates.ts';

/**
 * Migrations from version n to n + 1, keyed by n. A migration must be idempotent in effect,
 * because it runs where the document is loaded (the server, under a per-meeting lock) and its
 * result is stored as an ordinary update. Version 0 → 1 stamps documents that predate versioning.
 */
export const MIGRATIONS: Record<number, (doc: Y.Doc) => void> = {
  0: (doc) => {
    if (!metaOf(doc).has('focus')) metaOf(doc).set('focus', null);
  },
};

/** True for a document with no content at all (never seeded). */
export function isEmptyDoc(doc: Y.Doc): boolean {
  return doc.store.clients.size === 0;
}

/** Fills a new document with meta and the agenda template for the meeting kind, in `locale`. */
export function seedMeetingDoc(doc: Y.Doc, kind: MeetingKind, origin?: unknown, locale: Locale = BASE_LOCALE): void {
  doc.transact(() => {
    const meta = metaOf(doc);
    meta.set('schemaVersion', SCHEMA_VERSION);
    meta.set('kind', kind);
    meta.set('focus', null);
    meta.set('plannedEnd', null);
    for (const item of AGENDA_TEMPLATES_BY_LOCALE[locale][kind]) createAgendaItem(doc, item, origin);
  }, origin);
}

/** Brings a document up to SCHEMA_VERSION; returns the version it had. Throws if it is newer. */
export function migrateMeetingDoc(doc: Y.Doc, origin?: unknown): number {
  const from = schemaVersionOf(doc);
  if (from > SCHEMA_VERSION)
    throw new Error(`meeting document version ${from} is newer than this code (${SCHEMA_VERSION})`);
  if (from === SCHEMA_VERSION) return from;
  doc.transact(() => {
    for (let v = from; v < SCHEMA_VERSION; v++) MIGRATIONS[v]?.(doc);
    metaOf(doc).set('schemaVersion', SCHEMA_VERSION);
  }, origin);
  return from;
}

/**
 * What the server runs once when it loads a document: seed it if it is empty, else migrate it.
 * Returns the update this produced (to be stored like any other), or null when nothing changed.
 */
export function prepareMeetingDoc(doc: Y.Doc, kind: MeetingKind, locale: Locale = BASE_LOCALE): Uint8Array | null {
  const updates: Uint8Array[] = [];
  const record = (update: Uint8Array) => updates.push(update);
  doc.on('update', record);
  try {
    if (isEmptyDoc(doc)) seedMeetingDoc(doc, kind, undefined, locale);
    else migrateMeetingDoc(doc);
  } finally {
    doc.off('update', record);
  }
  return updates.length ? Y.mergeUpdates(updates) : null;
}
