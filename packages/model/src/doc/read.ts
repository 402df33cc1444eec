import * as Y from 'yjs';
import { MEETING_KINDS, type MeetingKind } from '../enums.ts';
import { isAgendaStatus, sortedItems } from './agenda.ts';
import { metaOf, schemaVersionOf, type AgendaItemMap, type AgendaStatus } from './schema.ts';

/** Rich text as plain JSON, shaped like ProseMirror's node JSON (what y-prosemirror stores). */
export interface RichNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: RichNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
}

/** One agenda item as plain JSON. */
export interface AgendaItemJson {
  id: string;
  title: string;
  presenter: string;
  minutes: number;
  status: AgendaStatus;
  notes: RichNode[];
  decision: RichNode[];
  /** Notes and decision as plain text, one line per block. */
  notesText: string;
  decisionText: string;
}

/** The whole meeting document as plain JSON (minutes export, the board, tests). */
export interface MeetingDocJson {
  schemaVersion: number;
  kind: MeetingKind | null;
  focus: string | null;
  plannedEnd: string | null;
  items: AgendaItemJson[];
  /** Sum of planned minutes, to show against plannedEnd. */
  totalMinutes: number;
}

function textNodes(text: Y.XmlText): RichNode[] {
  const delta = text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[];
  return delta
    .filter(
      (op): op is { insert: string; attributes?: Record<string, unknown> } =>
        typeof op.insert === 'string',
    )
    .map((op) => {
      const node: RichNode = { type: 'text', text: op.insert };
      const marks = Object.entries(op.attributes ?? {}).map(([type, attrs]) =>
        attrs && typeof attrs === 'object'
          ? { type, attrs: attrs as Record<string, unknown> }
          : { type },
      );
      if (marks.length) node.marks = marks;
      return node;
    });
}

/**
 * How deep readers follow rich text. The server refuses documents nested deeper (64 levels of
 * shared types, see apps/server/src/yjs/validate.ts); older stored documents may still be deeper,
 * so below this depth the text is flattened instead of followed.
 */
export const RICH_READ_DEPTH = 48;

/** The text under a node, gathered without recursion (for content below RICH_READ_DEPTH). */
function flatText(parent: Y.XmlElement): string {
  const out: string[] = [];
  const stack: (Y.XmlElement | Y.XmlText)[] = [parent];
  while (stack.length) {
    const node = stack.pop()!;
    if (node instanceof Y.XmlText) out.push(node.toString().replace(/<[^>]*>/g, ''));
    else stack.push(...(node.toArray().filter((c) => c instanceof Y.XmlElement || c instanceof Y.XmlText) as (Y.XmlElement | Y.XmlText)[]).reverse());
  }
  return out.join('');
}

function nodesOf(parent: Y.XmlFragment | Y.XmlElement, depth = 0): RichNode[] {
  const out: RichNode[] = [];
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) out.push(...textNodes(child));
    else if (child instanceof Y.XmlElement) {
      const node: RichNode = { type: child.nodeName };
      const attrs = child.getAttributes();
      if (Object.keys(attrs).length) node.attrs = attrs;
      if (depth >= RICH_READ_DEPTH) {
        // A hostile or broken document gives degraded text, never a stack overflow.
        const text = flatText(child);
        if (text) node.content = [{ type: 'text', text }];
      } else {
        const content = nodesOf(child, depth + 1);
        if (content.length) node.content = content;
      }
      out.push(node);
    }
  }
  return out;
}

/** A Y.XmlFragment (Tiptap content) as ProseMirror-like JSON nodes. */
export function fragmentToJson(fragment: unknown): RichNode[] {
  return fragment instanceof Y.XmlFragment ? nodesOf(fragment) : [];
}

function plain(nodes: RichNode[]): string {
  return nodes
    .map((node) => (node.type === 'text' ? (node.text ?? '') : plain(node.content ?? [])))
    .join('');
}

/** Rich text nodes as plain text: one line per top-level block. */
export function richToText(nodes: RichNode[]): string {
  return nodes
    .map((node) => {
      if (node.type === 'bulletList' || node.type === 'orderedList') {
        return (node.content ?? []).map((li) => `- ${plain(li.content ?? [])}`).join('\n');
      }
      return plain([node]);
    })
    .join('\n');
}

function itemJson(item: AgendaItemMap): AgendaItemJson {
  const title = item.get('title');
  const presenter = item.get('presenter');
  const minutes = item.get('minutes');
  const status = item.get('status');
  const notes = fragmentToJson(item.get('notes'));
  const decision = fragmentToJson(item.get('decision'));
  return {
    id: String(item.get('id') ?? ''),
    title: title instanceof Y.Text ? title.toString() : typeof title === 'string' ? title : '',
    presenter: typeof presenter === 'string' ? presenter : '',
    minutes: typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 ? minutes : 0,
    status: isAgendaStatus(status) ? status : 'pending',
    notes,
    decision,
    notesText: richToText(notes),
    decisionText: richToText(decision),
  };
}

/**
 * The meeting document as plain JSON, in display order. Tolerant: fields a peer wrote with the
 * wrong type read as their defaults, so a malformed document never breaks an export.
 */
export function readAgenda(doc: Y.Doc): MeetingDocJson {
  const meta = metaOf(doc);
  const items = sortedItems(doc).map(itemJson);
  const focus = meta.get('focus');
  const plannedEnd = meta.get('plannedEnd');
  const kind = meta.get('kind');
  return {
    schemaVersion: schemaVersionOf(doc),
    kind:
      typeof kind === 'string' && (MEETING_KINDS as readonly string[]).includes(kind)
        ? (kind as MeetingKind)
        : null,
    focus: typeof focus === 'string' && items.some((item) => item.id === focus) ? focus : null,
    plannedEnd: typeof plannedEnd === 'string' ? plannedEnd : null,
    items,
    totalMinutes: items.reduce((sum, item) => sum + item.minutes, 0),
  };
}
