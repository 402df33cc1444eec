import * as Y from 'yjs';
import { DOC_ROOTS } from '@yishi/model';

/**
 * Validated ingest: what a meeting document accepts from a client, checked before an update is
 * stored or applied. See docs/threat-model.md ("Poisoned documents").
 *
 * - **Depth.** No item may sit deeper than `maxDepth` nested types (an agenda item's notes are at
 *   depth 2, a paragraph's text at 3, a list five levels deep at about 12). Readers of the document
 *   recurse, and so does Yjs itself when it deletes or collects a type: 6,000 levels overflow the
 *   stack.
 * - **Known clocks.** Every struct continues a client's clock without a gap, every reference
 *   (origin, parent) names content the server has, and every delete range ends at or below the
 *   clocks known for that client. A delete of clocks 0..2^53 of another client would otherwise
 *   delete all that client's future edits.
 * - **Roots.** Only the roots of the meeting document, each with its kind (map or array).
 * - **Deleting agenda items.** Only roles that may delete them (host, secretary) remove an item from
 *   `agenda` or `deleted`; anyone may take back an item their own connection created.
 * - **The charter (逐条协商).** Only roles that run it (host, secretary) write to `charter` outside
 *   the amendments: its title, status, clauses, clause texts and decisions. Anyone else may add an
 *   amendment (status `open`, no poll, no votes) and change the text of one or withdraw it
 *   (status `withdrawn`); nothing else. Whether it is *their* amendment the server cannot tell
 *   from an update (the web app only offers it to the proposer; see docs/threat-model.md).
 *
 * Accepted updates that are not applied yet (waiting for the database) count as known, so a client
 * typing fast is not refused for referring to its own previous keystroke.
 */

/** Nesting of shared types an update may reach (documented in docs/meeting-document.md). */
export const MAX_DOC_DEPTH = 64;

/** Kinds of the meeting document's roots: a struct under any other root is refused. */
export const DOC_ROOT_KINDS: Record<string, 'map' | 'array'> = {
  [DOC_ROOTS.meta]: 'map',
  [DOC_ROOTS.agenda]: 'array',
  [DOC_ROOTS.deleted]: 'array',
  [DOC_ROOTS.charter]: 'map',
};

/** Who sends an update: what the model lets them do. */
export interface Sender {
  /** May remove agenda items (and restore deleted ones). */
  mayDeleteItems: boolean;
  /** May run a charter's deliberation (mayDecideCharter); otherwise only amendments are writable. */
  mayDecideCharter: boolean;
  /** Client ids this connection wrote with: its own items it may always take back. */
  ownClients: ReadonlySet<number>;
  /** Who sends (when known): a new amendment must name its sender as proposer, never someone else. */
  who?: { userId: string; names: readonly string[] };
}

export type Verdict = { ok: true; ticket: Ticket } | { ok: false; reason: string };

/** An accepted update that is not applied yet; release it once applied (or given up). */
export interface Ticket {
  readonly clients: Map<number, Y.Item[]>;
  readonly ends: Map<number, number>;
}

type Struct = Y.Item | Y.GC | Y.Skip;
type Found = { kind: 'update'; item: Y.Item } | { kind: 'doc'; depth: number } | { kind: 'flat' } | null;

class Refused extends Error {}

/** Where an item sits in the document (see IngestGuard.placeOf). */
interface Place {
  root: string | null;
  path: (string | null)[];
  key: string | null;
  freshContainer: boolean;
}

/** Index of the struct containing `clock` in a clock-sorted run, or -1. */
function search(structs: readonly Struct[], clock: number): number {
  let lo = 0;
  let hi = structs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = structs[mid]!;
    if (clock < s.id.clock) hi = mid - 1;
    else if (clock >= s.id.clock + s.length) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Nesting depth of the type that contains a struct already in the document (capped). */
function docContainerDepth(struct: Y.Item | Y.GC, cap: number): number {
  if (!(struct instanceof Y.Item)) return 0;
  let depth = 0;
  let type = struct.parent as Y.AbstractType<unknown> | null;
  while (type && type._item) {
    if (++depth > cap) return depth;
    type = type._item.parent as Y.AbstractType<unknown> | null;
  }
  return depth;
}

/**
 * The ingest guard of one room: checks updates against the room's document plus the accepted
 * updates still in flight.
 */
export class IngestGuard {
  private readonly inflight = new Set<Ticket>();
  /** The in-flight tickets that carry structs of each client (so lookups never scan them all). */
  private readonly byClient = new Map<number, Set<Ticket>>();
  /** Container depth of every item of an in-flight update, and of the update being checked. */
  private readonly depths = new Map<Y.Item, number>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly maxDepth = MAX_DOC_DEPTH,
    private readonly roots: Record<string, 'map' | 'array'> = DOC_ROOT_KINDS,
  ) {}

  /** Checks an update (decoded by the caller, or here); an accepted one holds a ticket until `release`. Never throws. */
  check(update: Uint8Array, sender: Sender, alreadyDecoded?: ReturnType<typeof Y.decodeUpdate>): Verdict {
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = alreadyDecoded ?? Y.decodeUpdate(update);
    } catch {
      return { ok: false, reason: 'undecodable update' };
    }
    const ticket: Ticket = { clients: new Map(), ends: new Map() };
    const runs = new Map<number, Struct[]>();
    for (const struct of decoded.structs as Struct[]) {
      const run = runs.get(struct.id.client);
      if (run) run.push(struct);
      else runs.set(struct.id.client, [struct]);
    }
    try {
      // Clocks continue without a gap.
      for (const [client, run] of runs) {
        let reach = this.knownState(client);
        for (const struct of run) {
          if (struct instanceof Y.Skip) continue;
          if (struct.id.clock > reach) throw new Refused('update skips clocks the server does not have');
          reach = Math.max(reach, struct.id.clock + struct.length);
        }
        ticket.ends.set(client, reach);
        ticket.clients.set(client, run.filter((s): s is Y.Item => s instanceof Y.Item));
      }
      // Depth, references and roots of every new item.
      for (const items of ticket.clients.values())
        for (const item of items) {
          const depth = this.containerDepth(item, runs);
          if (depth >= this.maxDepth) throw new Refused(`nesting deeper than ${this.maxDepth} levels`);
        }
      if (!sender.mayDecideCharter) {
        const places = new Map<Y.Item, Place>();
        for (const items of ticket.clients.values()) for (const item of items) this.checkCharterWrite(item, runs, places, sender);
      }
      // Deletes stay within known clocks and the model's rules.
      for (const [client, ranges] of decoded.ds.clients) {
        const known = Math.max(this.knownState(client), ticket.ends.get(client) ?? 0);
        for (const range of ranges) {
          if (range.len <= 0) continue;
          if (range.clock + range.len > known) throw new Refused('delete reaches past known clocks');
          if (!sender.mayDeleteItems && !sender.ownClients.has(client)) this.checkItemDeletes(client, range.clock, range.len);
          if (!sender.mayDecideCharter) this.checkCharterDeletes(client, range.clock, range.len);
        }
      }
    } catch (error) {
      for (const items of ticket.clients.values()) for (const item of items) this.depths.delete(item);
      if (error instanceof Refused) return { ok: false, reason: error.message };
      return { ok: false, reason: 'update could not be checked' };
    }
    this.inflight.add(ticket);
    for (const client of ticket.ends.keys()) {
      const set = this.byClient.get(client);
      if (set) set.add(ticket);
      else this.byClient.set(client, new Set([ticket]));
    }
    return { ok: true, ticket };
  }

  /** The update of this ticket is applied (or was given up): its content is the document's now. */
  release(ticket: Ticket): void {
    if (!this.inflight.delete(ticket)) return;
    for (const client of ticket.ends.keys()) {
      const set = this.byClient.get(client);
      set?.delete(ticket);
      if (set?.size === 0) this.byClient.delete(client);
    }
    for (const items of ticket.clients.values()) for (const item of items) this.depths.delete(item);
  }

  /** The next clock of a client: what the document has, or an accepted update will add. */
  private knownState(client: number): number {
    let state = Y.getState(this.doc.store, client);
    for (const ticket of this.byClient.get(client) ?? []) state = Math.max(state, ticket.ends.get(client) ?? 0);
    return state;
  }

  /** Finds the struct with this id: in the update, in flight, or in the document. */
  private find(id: Y.ID, runs: Map<number, Struct[]>): Found {
    const run = runs.get(id.client);
    if (run) {
      const i = search(run, id.clock);
      if (i >= 0) {
        const s = run[i]!;
        if (s instanceof Y.Item) return { kind: 'update', item: s };
        if (s instanceof Y.GC) return { kind: 'flat' };
      }
    }
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const structs = this.doc.store.clients.get(id.client) as (Y.Item | Y.GC)[] | undefined;
      if (structs) {
        const s = structs[Y.findIndexSS(structs, id.clock)]!;
        return { kind: 'doc', depth: docContainerDepth(s, this.maxDepth) };
      }
    }
    for (const ticket of this.byClient.get(id.client) ?? []) {
      const items = ticket.clients.get(id.client);
      if (!items) continue;
      const i = search(items, id.clock);
      if (i >= 0) return { kind: 'update', item: items[i]! };
    }
    return null;
  }

  /**
   * Depth of the type containing `start`, following parents and origins iteratively (an update may
   * chain thousands of siblings). Also checks roots and that every reference is known.
   */
  private containerDepth(start: Y.Item, runs: Map<number, Struct[]>): number {
    const chain: [Y.Item, number][] = [];
    const seen = new Set<Y.Item>();
    let current = start;
    let value: number;
    for (;;) {
      const memo = this.depths.get(current);
      if (memo !== undefined) {
        value = memo;
        break;
      }
      if (seen.has(current)) throw new Refused('update refers to itself in a cycle');
      seen.add(current);
      const parent = current.parent as unknown;
      const ref: Y.ID | null =
        parent === null ? (current.origin ?? current.rightOrigin) : typeof parent === 'string' ? null : (parent as Y.ID);
      if (typeof parent === 'string') {
        const kind = this.roots[parent];
        if (!kind) throw new Refused(`unknown root "${parent.slice(0, 32)}"`);
        if ((kind === 'map') !== (current.parentSub !== null)) throw new Refused(`wrong kind of content in root "${parent}"`);
        chain.push([current, 0]);
        value = 0;
        break;
      }
      if (!ref) throw new Refused('item without a place');
      const step = parent === null ? 0 : 1;
      const found = this.find(ref, runs);
      if (!found) throw new Refused('update refers to content the server does not have');
      chain.push([current, step]);
      if (found.kind === 'update') {
        current = found.item;
        continue;
      }
      value = found.kind === 'doc' ? found.depth : 0;
      break;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const [item, step] = chain[i]!;
      value += step;
      if (value > this.maxDepth) value = this.maxDepth + 1;
      this.depths.set(item, value);
    }
    return this.depths.get(start)!;
  }

  /** Refuses a delete range that removes an agenda item (or a deleted one) still present. */
  private checkItemDeletes(client: number, clock: number, len: number): void {
    const structs = this.doc.store.clients.get(client) as (Y.Item | Y.GC)[] | undefined;
    if (!structs || clock >= Y.getState(this.doc.store, client)) return;
    const guarded = [this.doc.getArray(DOC_ROOTS.agenda), this.doc.getArray(DOC_ROOTS.deleted)] as Y.AbstractType<unknown>[];
    for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
      const s = structs[i]!;
      if (s.id.clock >= clock + len) break;
      if (s instanceof Y.Item && !s.deleted && s.content instanceof Y.ContentType && guarded.includes(s.parent as Y.AbstractType<unknown>))
        throw new Refused('only the host or the secretary may delete an agenda item');
    }
  }

  /** The item with this id (in the update, in the document or in flight), or null. */
  private lookup(id: Y.ID, runs: Map<number, Struct[]>): Y.Item | null {
    const run = runs.get(id.client);
    if (run) {
      const i = search(run, id.clock);
      if (i >= 0) {
        const s = run[i]!;
        return s instanceof Y.Item ? s : null;
      }
    }
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const structs = this.doc.store.clients.get(id.client) as (Y.Item | Y.GC)[] | undefined;
      const s = structs?.[Y.findIndexSS(structs, id.clock)];
      return s instanceof Y.Item ? s : null;
    }
    for (const ticket of this.byClient.get(id.client) ?? []) {
      const items = ticket.clients.get(id.client);
      const i = items ? search(items, id.clock) : -1;
      if (i >= 0) return items![i]!;
    }
    return null;
  }

  /**
   * Where an item sits: the root name, the keys from the root down to its container (null for an
   * array position), its own key, and whether its container is new in this update. Siblings share
   * a place, so one update's chain of thousands of siblings is walked once (`memo`).
   */
  private placeOf(start: Y.Item, runs: Map<number, Struct[]>, memo: Map<Y.Item, Place>): Place {
    const chain: Y.Item[] = [];
    let place: Place = { root: null, path: [], key: null, freshContainer: false };
    let item: Y.Item | null = start;
    while (item) {
      const known = memo.get(item);
      if (known) {
        place = known;
        break;
      }
      chain.push(item);
      const parent = item.parent as unknown;
      if (parent === null) {
        // Positioned by a sibling: same container, same key.
        const ref: Y.ID | null = item.origin ?? item.rightOrigin;
        item = ref ? this.lookup(ref, runs) : null;
        continue;
      }
      const key = item.parentSub;
      if (parent instanceof Y.AbstractType) {
        // Integrated in the document: walk the types up.
        const path: (string | null)[] = [];
        let type: Y.AbstractType<unknown> = parent;
        while (type._item) {
          path.unshift(type._item.parentSub);
          type = type._item.parent as Y.AbstractType<unknown>;
        }
        let root: string | null = null;
        for (const [name, shared] of this.doc.share) if (shared === type) root = name;
        place = { root, path, key, freshContainer: false };
      } else if (typeof parent === 'string') {
        place = { root: parent, path: [], key, freshContainer: false };
      } else {
        const container = this.lookup(parent as Y.ID, runs);
        if (container) {
          // Depth was checked first: this recursion is at most MAX_DOC_DEPTH deep.
          const outer = this.placeOf(container, runs, memo);
          place = { root: outer.root, path: [...outer.path, outer.key], key, freshContainer: !(container.parent instanceof Y.AbstractType) };
        }
      }
      break;
    }
    for (const visited of chain) memo.set(visited, place);
    return place;
  }

  /** Refuses a write to the charter outside the amendments by someone who does not run it. */
  private checkCharterWrite(item: Y.Item, runs: Map<number, Struct[]>, memo: Map<Y.Item, Place>, sender: Sender): void {
    const place = this.placeOf(item, runs, memo);
    if (place.root !== DOC_ROOTS.charter) return;
    const where = place.path.join('/');
    // A new amendment in a clause's list.
    if (where === 'clauses//amendments' && place.key === null && item.content instanceof Y.ContentType) return;
    if (where === 'clauses//amendments/' && place.key !== null) {
      const value = item.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
      if (place.freshContainer) {
        // A field set and overwritten within the update arrives as deleted content: it sets nothing.
        if (item.content instanceof Y.ContentDeleted) return;
        // Open, or withdrawn at once (proposed and taken back before the client synced).
        if (place.key === 'status' && value !== 'open' && value !== 'withdrawn') throw new Refused('a new amendment starts open');
        if ((place.key === 'pollId' || place.key === 'votes') && value !== null) throw new Refused('only the host or the secretary may decide an amendment');
        if (sender.who && place.key === 'byUserId' && value !== sender.who.userId) throw new Refused('an amendment is proposed in its sender’s own name');
        if (sender.who && place.key === 'byName' && !sender.who.names.includes(String(value).trim())) throw new Refused('an amendment is proposed in its sender’s own name');
        return;
      }
      if (place.key === 'text' || (place.key === 'status' && value === 'withdrawn')) return;
    }
    throw new Refused('only the host or the secretary may change the charter beyond amendments');
  }

  /** Refuses deletes in the charter, except fields of an amendment being overwritten. */
  private checkCharterDeletes(client: number, clock: number, len: number): void {
    const structs = this.doc.store.clients.get(client) as (Y.Item | Y.GC)[] | undefined;
    if (!structs || clock >= Y.getState(this.doc.store, client)) return;
    const charter = this.doc.share.get(DOC_ROOTS.charter);
    if (!charter) return;
    for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
      const s = structs[i]!;
      if (s.id.clock >= clock + len) break;
      if (!(s instanceof Y.Item) || s.deleted) continue;
      const path: (string | null)[] = [];
      let type = s.parent as Y.AbstractType<unknown>;
      while (type._item) {
        path.unshift(type._item.parentSub);
        type = type._item.parent as Y.AbstractType<unknown>;
      }
      if (type !== charter) continue;
      if (path.join('/') === 'clauses//amendments/' && s.parentSub !== null && !(s.content instanceof Y.ContentType)) continue;
      throw new Refused('only the host or the secretary may delete from the charter');
    }
  }
}
