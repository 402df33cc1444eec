import type { RichNode } from '@yishi/model';
import type { Block, Inline, InlineRun } from './types.ts';

/** Deeper nesting is flattened into paragraphs: a hostile document must not blow the stack. */
const MAX_DEPTH = 12;

const MARKS: Record<string, keyof Omit<InlineRun, 'text'>> = {
  bold: 'bold',
  strong: 'bold',
  italic: 'italic',
  em: 'italic',
  strike: 'strike',
  underline: 'underline',
  code: 'code',
};

function runOf(node: RichNode): InlineRun | null {
  const text = node.text ?? '';
  if (!text) return null;
  const run: InlineRun = { text };
  for (const mark of node.marks ?? []) {
    const key = MARKS[mark.type];
    if (key) run[key] = true;
  }
  return run;
}

function sameMarks(a: InlineRun, b: InlineRun): boolean {
  return a.bold === b.bold && a.italic === b.italic && a.strike === b.strike && a.underline === b.underline && a.code === b.code;
}

/** Inline content of a node: text runs (neighbours with the same marks merged) and line breaks. */
function inlineOf(nodes: RichNode[] | undefined, depth = 0): Inline[] {
  const out: Inline[] = [];
  const push = (inline: Inline) => {
    const last = out.at(-1);
    if (last && 'text' in last && 'text' in inline && sameMarks(last, inline)) last.text += inline.text;
    else out.push('text' in inline ? { ...inline } : inline);
  };
  for (const node of nodes ?? []) {
    if (node.type === 'text') {
      const run = runOf(node);
      if (run) push(run);
    } else if (node.type === 'hardBreak') push({ break: true });
    else if (depth < MAX_DEPTH) for (const inline of inlineOf(node.content, depth + 1)) push(inline);
  }
  return out;
}

function plainText(nodes: RichNode[] | undefined): string {
  return (nodes ?? []).map((n) => (n.type === 'text' ? (n.text ?? '') : n.type === 'hardBreak' ? '\n' : plainText(n.content))).join('');
}

function headingLevel(attrs: Record<string, unknown> | undefined): number {
  const level = Number(attrs?.level);
  return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 1;
}

function listStart(attrs: Record<string, unknown> | undefined): number {
  const start = Number(attrs?.start);
  return Number.isInteger(start) && start >= 0 && start < 1_000_000 ? start : 1;
}

function blockOf(node: RichNode, depth: number): Block[] {
  if (depth >= MAX_DEPTH) {
    const text = plainText([node]);
    return text ? [{ type: 'paragraph', content: [{ text }] }] : [];
  }
  switch (node.type) {
    case 'paragraph':
      return [{ type: 'paragraph', content: inlineOf(node.content) }];
    case 'heading':
      return [{ type: 'heading', level: headingLevel(node.attrs), content: inlineOf(node.content) }];
    case 'bulletList':
    case 'orderedList':
    case 'taskList': {
      const items = (node.content ?? []).map((li) => toBlocks(li.type === 'listItem' || li.type === 'taskItem' ? li.content : [li], depth + 1));
      return [{ type: 'list', ordered: node.type === 'orderedList', start: listStart(node.attrs), items }];
    }
    case 'blockquote':
      return [{ type: 'quote', content: toBlocks(node.content, depth + 1) }];
    case 'codeBlock':
      return [{ type: 'code', text: plainText(node.content) }];
    case 'horizontalRule':
      return [{ type: 'rule' }];
    case 'text':
    case 'hardBreak':
      return [{ type: 'paragraph', content: inlineOf([node]) }];
    default: {
      // Unknown nodes (a newer editor's) keep their text rather than vanish from the minutes.
      const content = inlineOf(node.content);
      return content.length ? [{ type: 'paragraph', content }] : [];
    }
  }
}

function topHeading(blocks: Block[]): number {
  let min = 7;
  for (const block of blocks) {
    if (block.type === 'heading') min = Math.min(min, block.level);
    else if (block.type === 'quote') min = Math.min(min, topHeading(block.content));
    else if (block.type === 'list') for (const item of block.items) min = Math.min(min, topHeading(item));
  }
  return min;
}

function shiftHeadings(blocks: Block[], by: number): Block[] {
  return blocks.map((block) => {
    if (block.type === 'heading') return { ...block, level: block.level - by };
    if (block.type === 'quote') return { ...block, content: shiftHeadings(block.content, by) };
    if (block.type === 'list') return { ...block, items: block.items.map((item) => shiftHeadings(item, by)) };
    return block;
  });
}

/**
 * Tiptap/ProseMirror JSON as the minutes' blocks; empty trailing paragraphs dropped. Headings are
 * renumbered so that the note's top heading is level 1, whichever level the writer picked.
 */
export function noteBlocks(nodes: RichNode[] | undefined): Block[] {
  const blocks = toBlocks(nodes);
  const top = topHeading(blocks);
  return top > 1 && top < 7 ? shiftHeadings(blocks, top - 1) : blocks;
}

/** Tiptap/ProseMirror JSON as blocks, heading levels as written; empty trailing paragraphs dropped. */
export function toBlocks(nodes: RichNode[] | undefined, depth = 0): Block[] {
  const blocks = (nodes ?? []).flatMap((node) => blockOf(node, depth));
  while (blocks.length) {
    const last = blocks.at(-1)!;
    if (last.type === 'paragraph' && last.content.length === 0) blocks.pop();
    else break;
  }
  return blocks;
}

/** The text of inline content (for tests and plain renderers). */
export function inlineText(content: Inline[]): string {
  return content.map((i) => ('text' in i ? i.text : '\n')).join('');
}
