import * as Y from 'yjs';
import { z } from 'zod';
import { splitClauses, titleFromPreamble } from '../charter/split.ts';
import { newItemId } from './agenda.ts';
import { isOrderKey, keyBetween, keysAfter } from './order.ts';
import { DOC_ROOTS } from './schema.ts';

/**
 * A charter (规约) deliberated clause by clause (逐条协商), in `doc.getMap('charter')`. See
 * docs/meeting-document.md. The root is empty until the host brings a draft in.
 *
 *   title        string
 *   status       'drafting' | 'deliberating' | 'adopting' | 'adopted' | 'rejected'
 *   current      clause id | null     the clause the facilitator is taking (the board shows it)
 *   adoptionPoll string | null        id of the final motion that adopts the whole
 *   adoptionVotes {yes, no, abstain} | null, adoptionPassed boolean | null
 *   clauses      Y.Array of Y.Map:
 *     id, order (fractional key), text Y.Text, original string (the draft's text),
 *     status 'pending' | 'agreed' | 'deferred' | 'deleted', fromAmendment string | null,
 *     amendments Y.Array of Y.Map:
 *       id, kind 'replace' | 'insert' | 'delete', text string, byUserId, byName, at (epoch ms),
 *       status 'open' | 'accepted' | 'rejected' | 'withdrawn', pollId string | null,
 *       votes {yes, no, abstain} | null
 */

export const CHARTER_STATUSES = ['drafting', 'deliberating', 'adopting', 'adopted', 'rejected'] as const;
export type CharterStatus = (typeof CHARTER_STATUSES)[number];
export const CLAUSE_STATUSES = ['pending', 'agreed', 'deferred', 'deleted'] as const;
export type ClauseStatus = (typeof CLAUSE_STATUSES)[number];
export const AMENDMENT_KINDS = ['replace', 'insert', 'delete'] as const;
export type AmendmentKind = (typeof AMENDMENT_KINDS)[number];
export const AMENDMENT_STATUSES = ['open', 'accepted', 'rejected', 'withdrawn'] as const;
export type AmendmentStatus = (typeof AMENDMENT_STATUSES)[number];

/** Caps the accessors enforce (peers may still write anything; readers cut to these). */
export const CHARTER_LIMITS = {
  title: 200,
  clauseText: 4000,
  clauses: 200,
  amendments: 50,
  draft: 100_000,
  name: 64,
} as const;

/** Vote numbers of a motion, as the minutes show them. */
export interface VoteCounts {
  yes: number;
  no: number;
  abstain: number;
}

const votesSchema = z.object({
  yes: z.number().int().min(0),
  no: z.number().int().min(0),
  abstain: z.number().int().min(0),
});

export const charterDraftInput = z
  .object({
    title: z.string().trim().max(CHARTER_LIMITS.title).optional(),
    draft: z.string().max(CHARTER_LIMITS.draft),
  })
  .strict();
export type CharterDraftInput = z.infer<typeof charterDraftInput>;

export const amendmentInput = z
  .object({
    kind: z.enum(AMENDMENT_KINDS),
    text: z.string().trim().max(CHARTER_LIMITS.clauseText),
    byUserId: z.string().min(1).max(64),
    byName: z.string().trim().max(CHARTER_LIMITS.name),
    at: z.number().int().min(0),
  })
  .strict()
  .refine((a) => a.kind === 'delete' || a.text.length > 0, { message: 'an amendment needs its text', path: ['text'] });
export type AmendmentInput = z.infer<typeof amendmentInput>;

const clauseTextSchema = z.string().max(CHARTER_LIMITS.clauseText);

type YMap = Y.Map<unknown>;

/** The `charter` root map. */
export function charterOf(doc: Y.Doc): YMap {
  return doc.getMap(DOC_ROOTS.charter);
}

function str(map: YMap, key: string, max = 10_000): string {
  const v = map.get(key);
  return typeof v === 'string' ? v.slice(0, max) : v instanceof Y.Text ? v.toString().slice(0, max) : '';
}

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : fallback;
}

function readVotes(value: unknown): VoteCounts | null {
  const parsed = votesSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function clausesArray(doc: Y.Doc): Y.Array<YMap> | null {
  const clauses = charterOf(doc).get('clauses');
  return clauses instanceof Y.Array ? (clauses as Y.Array<YMap>) : null;
}

function orderOf(clause: YMap): string {
  const order = clause.get('order');
  return isOrderKey(order) ? order : '';
}

/** The clause maps in display order, one per id. */
function sortedClauses(doc: Y.Doc): YMap[] {
  const seen = new Set<string>();
  return (clausesArray(doc)?.toArray() ?? [])
    .filter((c): c is YMap => c instanceof Y.Map)
    .sort((a, b) => {
      const oa = orderOf(a);
      const ob = orderOf(b);
      if (oa !== ob) return oa < ob ? -1 : 1;
      const ia = str(a, 'id');
      const ib = str(b, 'id');
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    })
    .filter((c) => {
      const id = str(c, 'id');
      if (!id || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

function findClause(doc: Y.Doc, id: string): YMap | null {
  return sortedClauses(doc).find((c) => str(c, 'id') === id) ?? null;
}

function amendmentsOf(clause: YMap): Y.Array<YMap> | null {
  const list = clause.get('amendments');
  return list instanceof Y.Array ? (list as Y.Array<YMap>) : null;
}

function findAmendment(doc: Y.Doc, clauseId: string, amendmentId: string): { clause: YMap; amendment: YMap } | null {
  const clause = findClause(doc, clauseId);
  if (!clause) return null;
  const amendment = (amendmentsOf(clause)?.toArray() ?? []).find(
    (a) => a instanceof Y.Map && str(a, 'id') === amendmentId,
  );
  return amendment ? { clause, amendment } : null;
}

function newClause(text: string, order: string, fromAmendment: string | null = null, id = newItemId()): YMap {
  const clause: YMap = new Y.Map<unknown>();
  clause.set('id', id);
  clause.set('order', order);
  clause.set('text', new Y.Text(text));
  clause.set('original', text);
  clause.set('status', 'pending');
  clause.set('fromAmendment', fromAmendment);
  clause.set('amendments', new Y.Array<YMap>());
  return clause;
}

function setText(clause: YMap, text: string): void {
  const current = clause.get('text');
  if (current instanceof Y.Text) {
    if (current.toString() === text) return;
    current.delete(0, current.length);
    current.insert(0, text);
  } else clause.set('text', new Y.Text(text));
}

/** A key after `after` and before the next clause (rebalancing all keys when they are broken). */
function keyAfter(clauses: YMap[], index: number): string {
  const a = index >= 0 ? orderOf(clauses[index]!) : null;
  const next = clauses[index + 1];
  const b = next ? orderOf(next) : null;
  if (a === '' || b === '' || (a !== null && b !== null && a >= b)) {
    const keys = keysAfter(null, clauses.length);
    clauses.forEach((c, i) => c.set('order', keys[i]!));
    return keyAfter(clauses, index);
  }
  return keyBetween(a, b);
}

/** Status of the charter, or null when the meeting has none. */
export function charterStatus(doc: Y.Doc): CharterStatus | null {
  if (!clausesArray(doc)) return null;
  return oneOf(CHARTER_STATUSES, charterOf(doc).get('status'), 'drafting');
}

/**
 * Brings a draft in: splits it into clauses (splitClauses) and replaces any charter still being
 * drafted. Returns the number of clauses. Throws on invalid input, and once deliberation started.
 */
export function createCharter(doc: Y.Doc, input: CharterDraftInput, origin?: unknown): number {
  const { title, draft } = charterDraftInput.parse(input);
  const status = charterStatus(doc);
  if (status !== null && status !== 'drafting') throw new Error('the charter is already being deliberated');
  const split = splitClauses(draft);
  const texts = split.clauses.map((c) => c.text.slice(0, CHARTER_LIMITS.clauseText)).slice(0, CHARTER_LIMITS.clauses);
  const keys = keysAfter(null, texts.length);
  doc.transact(() => {
    const charter = charterOf(doc);
    charter.set('title', (title || titleFromPreamble(split.preamble)).slice(0, CHARTER_LIMITS.title));
    charter.set('status', 'drafting');
    charter.set('current', null);
    charter.set('adoptionPoll', null);
    charter.set('adoptionVotes', null);
    charter.set('adoptionPassed', null);
    const clauses = new Y.Array<YMap>();
    clauses.push(texts.map((text, i) => newClause(text, keys[i]!)));
    charter.set('clauses', clauses);
  }, origin);
  return texts.length;
}

/** Removes the charter (only while drafting). */
export function discardCharter(doc: Y.Doc, origin?: unknown): boolean {
  if (charterStatus(doc) !== 'drafting') return false;
  doc.transact(() => {
    const charter = charterOf(doc);
    for (const key of Array.from(charter.keys())) charter.delete(key);
  }, origin);
  return true;
}

export const charterPatch = z
  .object({
    title: z.string().trim().max(CHARTER_LIMITS.title),
    status: z.enum(CHARTER_STATUSES),
  })
  .partial()
  .strict();
export type CharterPatch = z.infer<typeof charterPatch>;

/** Changes title or status. Starting deliberation records each clause's text as its original. */
export function updateCharter(doc: Y.Doc, patch: CharterPatch, origin?: unknown): boolean {
  const valid = charterPatch.parse(patch);
  if (charterStatus(doc) === null) return false;
  doc.transact(() => {
    const charter = charterOf(doc);
    if (valid.title !== undefined) charter.set('title', valid.title);
    if (valid.status !== undefined) {
      if (valid.status === 'deliberating' && charterStatus(doc) === 'drafting') {
        const clauses = sortedClauses(doc);
        for (const c of clauses) c.set('original', str(c, 'text', CHARTER_LIMITS.clauseText));
        if (!charter.get('current') && clauses[0]) charter.set('current', str(clauses[0], 'id'));
      }
      charter.set('status', valid.status);
    }
  }, origin);
  return true;
}

/** Replaces a clause's text (the host correcting the split). Throws on text over the cap. */
export function setClauseText(doc: Y.Doc, id: string, text: string, origin?: unknown): boolean {
  const valid = clauseTextSchema.parse(text);
  const clause = findClause(doc, id);
  if (!clause) return false;
  doc.transact(() => setText(clause, valid), origin);
  return true;
}

/** Merges a clause into the one before it (their texts joined by a line break). */
export function mergeClauseWithPrevious(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const clauses = sortedClauses(doc);
  const index = clauses.findIndex((c) => str(c, 'id') === id);
  if (index <= 0) return false;
  const previous = clauses[index - 1]!;
  const clause = clauses[index]!;
  const joined = `${str(previous, 'text')}\n${str(clause, 'text')}`.slice(0, CHARTER_LIMITS.clauseText);
  const array = clausesArray(doc)!;
  doc.transact(() => {
    setText(previous, joined);
    const at = array.toArray().indexOf(clause);
    if (at >= 0) array.delete(at, 1);
    if (charterOf(doc).get('current') === id) charterOf(doc).set('current', str(previous, 'id'));
  }, origin);
  return true;
}

/** Splits a clause at a character index: the rest becomes a new clause right after it. */
export function splitClauseAt(doc: Y.Doc, id: string, at: number, origin?: unknown): string | null {
  const clauses = sortedClauses(doc);
  const index = clauses.findIndex((c) => str(c, 'id') === id);
  if (index < 0 || clauses.length >= CHARTER_LIMITS.clauses) return null;
  const clause = clauses[index]!;
  const text = str(clause, 'text');
  const cut = Math.max(0, Math.min(text.length, Math.trunc(at)));
  const head = text.slice(0, cut).trimEnd();
  const tail = text.slice(cut).trim();
  if (!head || !tail) return null;
  const newId = newItemId();
  doc.transact(() => {
    setText(clause, head);
    clausesArray(doc)!.push([newClause(tail, keyAfter(clauses, index), null, newId)]);
  }, origin);
  return newId;
}

/** Marks a clause 通过 / 搁置 / 删除 (or back to pending). */
export function setClauseStatus(doc: Y.Doc, id: string, status: ClauseStatus, origin?: unknown): boolean {
  const valid = z.enum(CLAUSE_STATUSES).parse(status);
  const clause = findClause(doc, id);
  if (!clause) return false;
  doc.transact(() => clause.set('status', valid), origin);
  return true;
}

/** The clause the facilitator is taking (null clears it). */
export function setCurrentClause(doc: Y.Doc, id: string | null, origin?: unknown): boolean {
  if (id !== null && !findClause(doc, id)) return false;
  doc.transact(() => charterOf(doc).set('current', id), origin);
  return true;
}

/** Proposes an amendment to a clause; returns its id, or null when there is no such clause. */
export function proposeAmendment(doc: Y.Doc, clauseId: string, input: AmendmentInput, origin?: unknown): string | null {
  const valid = amendmentInput.parse(input);
  const clause = findClause(doc, clauseId);
  const list = clause && amendmentsOf(clause);
  if (!list) return null;
  if (list.length >= CHARTER_LIMITS.amendments)
    throw new Error(`a clause takes at most ${CHARTER_LIMITS.amendments} amendments`);
  const id = newItemId();
  doc.transact(() => {
    const amendment: YMap = new Y.Map<unknown>();
    amendment.set('id', id);
    amendment.set('kind', valid.kind);
    amendment.set('text', valid.kind === 'delete' ? '' : valid.text);
    amendment.set('byUserId', valid.byUserId);
    amendment.set('byName', valid.byName);
    amendment.set('at', valid.at);
    amendment.set('status', 'open');
    amendment.set('pollId', null);
    amendment.set('votes', null);
    list.push([amendment]);
  }, origin);
  return id;
}

/** The proposer takes back their open amendment; false for anyone else or a decided one. */
export function withdrawAmendment(
  doc: Y.Doc,
  clauseId: string,
  amendmentId: string,
  userId: string,
  origin?: unknown,
): boolean {
  const found = findAmendment(doc, clauseId, amendmentId);
  if (!found || str(found.amendment, 'byUserId') !== userId) return false;
  if (str(found.amendment, 'status') !== 'open' || found.amendment.get('pollId')) return false;
  doc.transact(() => found.amendment.set('status', 'withdrawn'), origin);
  return true;
}

/** The proposer changes the text of their open amendment; false for anyone else or a decided one. */
export function updateAmendmentText(
  doc: Y.Doc,
  clauseId: string,
  amendmentId: string,
  userId: string,
  text: string,
  origin?: unknown,
): boolean {
  const valid = z.string().trim().min(1).max(CHARTER_LIMITS.clauseText).parse(text);
  const found = findAmendment(doc, clauseId, amendmentId);
  if (!found || str(found.amendment, 'byUserId') !== userId) return false;
  if (str(found.amendment, 'status') !== 'open' || found.amendment.get('pollId')) return false;
  if (found.amendment.get('kind') === 'delete') return false;
  doc.transact(() => found.amendment.set('text', valid), origin);
  return true;
}

/** Records the motion (poll id) that puts an amendment to the vote. */
export function bindAmendmentPoll(doc: Y.Doc, clauseId: string, amendmentId: string, pollId: string, origin?: unknown): boolean {
  const found = findAmendment(doc, clauseId, amendmentId);
  if (!found) return false;
  doc.transact(() => found.amendment.set('pollId', z.string().min(1).max(64).parse(pollId)), origin);
  return true;
}

/**
 * Decides an open amendment: accepted (by consensus, or by the vote whose numbers are given) or
 * rejected. Accepting applies it at once: a replacement becomes the clause's text, an insertion a
 * new clause right after, a deletion marks the clause deleted.
 */
export function decideAmendment(
  doc: Y.Doc,
  clauseId: string,
  amendmentId: string,
  decision: { outcome: 'accepted' | 'rejected'; votes?: VoteCounts | null },
  origin?: unknown,
): boolean {
  const outcome = z.enum(['accepted', 'rejected']).parse(decision.outcome);
  const votes = decision.votes ? votesSchema.parse(decision.votes) : null;
  const found = findAmendment(doc, clauseId, amendmentId);
  if (!found || str(found.amendment, 'status') !== 'open') return false;
  const { clause, amendment } = found;
  const clauses = sortedClauses(doc);
  doc.transact(() => {
    amendment.set('status', outcome);
    amendment.set('votes', votes);
    if (outcome !== 'accepted') return;
    const kind = oneOf(AMENDMENT_KINDS, amendment.get('kind'), 'replace');
    const text = str(amendment, 'text', CHARTER_LIMITS.clauseText);
    if (kind === 'replace') setText(clause, text);
    else if (kind === 'delete') clause.set('status', 'deleted');
    else if (clauses.length < CHARTER_LIMITS.clauses)
      clausesArray(doc)!.push([newClause(text, keyAfter(clauses, clauses.indexOf(clause)), amendmentId)]);
  }, origin);
  return true;
}

/** Records the final motion that adopts the whole text. */
export function bindAdoptionPoll(doc: Y.Doc, pollId: string, origin?: unknown): boolean {
  if (charterStatus(doc) === null) return false;
  doc.transact(() => {
    charterOf(doc).set('adoptionPoll', z.string().min(1).max(64).parse(pollId));
    charterOf(doc).set('status', 'adopting');
  }, origin);
  return true;
}

/** Records the final vote: adopted, or rejected (the whole text was not adopted). */
export function recordAdoption(doc: Y.Doc, result: { passed: boolean; votes: VoteCounts | null }, origin?: unknown): boolean {
  if (charterStatus(doc) === null) return false;
  const votes = result.votes ? votesSchema.parse(result.votes) : null;
  doc.transact(() => {
    const charter = charterOf(doc);
    charter.set('adoptionVotes', votes);
    charter.set('adoptionPassed', result.passed === true);
    charter.set('status', result.passed === true ? 'adopted' : 'rejected');
  }, origin);
  return true;
}

/** One amendment as plain JSON. */
export interface AmendmentJson {
  id: string;
  kind: AmendmentKind;
  text: string;
  byUserId: string;
  byName: string;
  at: number;
  status: AmendmentStatus;
  pollId: string | null;
  votes: VoteCounts | null;
}

/** One clause as plain JSON. */
export interface ClauseJson {
  id: string;
  /** 1-based position in the current order. */
  number: number;
  text: string;
  original: string;
  status: ClauseStatus;
  fromAmendment: string | null;
  amendments: AmendmentJson[];
}

/** The charter as plain JSON (the panel, the board, the minutes, the export). */
export interface CharterJson {
  title: string;
  status: CharterStatus;
  current: string | null;
  adoptionPoll: string | null;
  adoptionVotes: VoteCounts | null;
  adoptionPassed: boolean | null;
  clauses: ClauseJson[];
  progress: Record<ClauseStatus, number>;
}

function readAmendment(map: YMap): AmendmentJson {
  const at = map.get('at');
  const pollId = map.get('pollId');
  return {
    id: str(map, 'id', 64),
    kind: oneOf(AMENDMENT_KINDS, map.get('kind'), 'replace'),
    text: str(map, 'text', CHARTER_LIMITS.clauseText),
    byUserId: str(map, 'byUserId', 64),
    byName: str(map, 'byName', CHARTER_LIMITS.name),
    at: typeof at === 'number' && Number.isFinite(at) ? at : 0,
    status: oneOf(AMENDMENT_STATUSES, map.get('status'), 'open'),
    pollId: typeof pollId === 'string' && pollId ? pollId.slice(0, 64) : null,
    votes: readVotes(map.get('votes')),
  };
}

/** The charter as plain JSON, or null when the meeting has none. Tolerant of any peer's writes. */
export function readCharter(doc: Y.Doc): CharterJson | null {
  const status = charterStatus(doc);
  if (status === null) return null;
  const charter = charterOf(doc);
  const clauses = sortedClauses(doc)
    .slice(0, CHARTER_LIMITS.clauses)
    .map((c, i): ClauseJson => {
      const from = c.get('fromAmendment');
      return {
        id: str(c, 'id', 64),
        number: i + 1,
        text: str(c, 'text', CHARTER_LIMITS.clauseText),
        original: str(c, 'original', CHARTER_LIMITS.clauseText),
        status: oneOf(CLAUSE_STATUSES, c.get('status'), 'pending'),
        fromAmendment: typeof from === 'string' && from ? from.slice(0, 64) : null,
        amendments: (amendmentsOf(c)?.toArray() ?? [])
          .filter((a): a is YMap => a instanceof Y.Map)
          .slice(0, CHARTER_LIMITS.amendments)
          .map(readAmendment)
          .filter((a) => a.id !== ''),
      };
    });
  const progress: Record<ClauseStatus, number> = { pending: 0, agreed: 0, deferred: 0, deleted: 0 };
  for (const c of clauses) progress[c.status]++;
  const current = charter.get('current');
  const poll = charter.get('adoptionPoll');
  const passed = charter.get('adoptionPassed');
  return {
    title: str(charter, 'title', CHARTER_LIMITS.title),
    status,
    current: typeof current === 'string' && clauses.some((c) => c.id === current) ? current : null,
    adoptionPoll: typeof poll === 'string' && poll ? poll.slice(0, 64) : null,
    adoptionVotes: readVotes(charter.get('adoptionVotes')),
    adoptionPassed: typeof passed === 'boolean' ? passed : null,
    clauses,
    progress,
  };
}

/** The text as adopted: the agreed clauses in order (deferred and deleted ones are left out). */
export function adoptedClauses(charter: CharterJson): ClauseJson[] {
  return charter.clauses.filter((c) => c.status === 'agreed');
}
