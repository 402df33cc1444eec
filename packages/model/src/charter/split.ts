/**
 * Splitting a draft charter (规约) into numbered clauses. Pure and total: any string gives a
 * result, never an error. Recognised clause starts, at the beginning of a line (after optional
 * spaces, a Markdown heading mark `#`, a list dash or bold `**`):
 *
 * - `第一条` / `第一條` / `第12条` (Chinese statute style; 章 and 节 headings stay in the text),
 * - `一、` `十二、` (Chinese enumeration),
 * - `1.` `1、` `1．` `1)` (Arabic numbering; `1.5` is not a clause start).
 *
 * Only the first style that occurs in the draft starts clauses, so `一、` lists inside a `第一条`
 * clause stay in it. Lines before the first clause are the preamble (its first line is usually the
 * title). Without any numbering, blank lines separate the clauses.
 */

/** Caps: a longer input is cut, more clauses are merged into the last one. */
export const SPLIT_LIMITS = { input: 100_000, clauses: 200 } as const;

/** One clause as the splitter found it. */
export interface SplitClause {
  /** The number as written (`第一条`, `一、`, `1.`), or '' for an unnumbered paragraph. */
  label: string;
  /** The clause text with its number, lines joined by '\n', trimmed. */
  text: string;
}

/** What a draft splits into. */
export interface SplitDraft {
  /** Lines before the first clause (title, preamble), trimmed. */
  preamble: string;
  clauses: SplitClause[];
}

type Style = 'article' | 'chinese' | 'arabic';

const NUMERAL = '[一二三四五六七八九十百千零〇两兩0-9０-９]+';
const LEAD = /^\s*(?:#{1,6}\s+|[-*+]\s+|\*\*)?/;
const STYLES: Record<Style, RegExp> = {
  article: new RegExp(`^第${NUMERAL}[条條](?![款项項])`),
  chinese: /^[一二三四五六七八九十百]+[、．.]/,
  arabic: /^[0-9０-９]{1,3}(?:[、．)）]|\.(?![0-9]))/,
};
const ORDER: Style[] = ['article', 'chinese', 'arabic'];

/** A line without its Markdown heading, list or bold lead, and the clause label it starts with. */
function parseLine(line: string): { body: string; labels: Partial<Record<Style, string>> } {
  const body = line.replace(LEAD, '').trim();
  const labels: Partial<Record<Style, string>> = {};
  for (const style of ORDER) {
    const match = STYLES[style].exec(body);
    if (match) labels[style] = match[0];
  }
  return { body, labels };
}

/** Removes Markdown heading marks so that `## 第一条` reads `第一条`. */
function stripHeading(line: string): string {
  return line.replace(/^\s*#{1,6}\s+/, '');
}

function clean(lines: string[]): string {
  return lines
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Splits a draft into clauses (see the module comment). Never throws. */
export function splitClauses(input: string): SplitDraft {
  const text = typeof input === 'string' ? input.slice(0, SPLIT_LIMITS.input) : '';
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map(stripHeading);
  const parsed = lines.map(parseLine);
  const style = ORDER.find((s) => parsed.some((p) => p.labels[s] !== undefined));

  const groups: { label: string; lines: string[] }[] = [];
  const preamble: string[] = [];
  if (style) {
    lines.forEach((line, i) => {
      const label = parsed[i]!.labels[style];
      if (label !== undefined && groups.length < SPLIT_LIMITS.clauses) groups.push({ label, lines: [line.trim()] });
      else if (groups.length) groups[groups.length - 1]!.lines.push(line);
      else preamble.push(line);
    });
  } else {
    // No numbering: paragraphs are clauses; a first short line on its own is the title.
    let current: string[] | null = null;
    for (const line of lines) {
      if (line.trim() === '') {
        current = null;
        continue;
      }
      if (!current) {
        if (groups.length >= SPLIT_LIMITS.clauses) current = groups[groups.length - 1]!.lines;
        else {
          current = [];
          groups.push({ label: '', lines: current });
        }
      }
      current.push(line);
    }
    const first = groups[0];
    if (groups.length > 1 && first && first.lines.length === 1 && first.lines[0]!.trim().length <= 40) {
      preamble.push(...first.lines);
      groups.shift();
    }
  }
  return {
    preamble: clean(preamble),
    clauses: groups.map((g) => ({ label: g.label, text: clean(g.lines) })).filter((c) => c.text !== ''),
  };
}

/** Draft notes after a title: （讨论稿）, （草案）, （征求意见稿）… — the adopted text drops them. */
const DRAFT_NOTE = /[（(](?:讨论稿|討論稿|草案|草稿|征求意见稿|徵求意見稿|修订稿|修訂稿|初稿)[）)]\s*$/;

/** The charter title a preamble suggests: its first non-empty line without 《》 and draft notes. */
export function titleFromPreamble(preamble: string): string {
  const first = preamble.split('\n').find((line) => line.trim() !== '') ?? '';
  return first.trim().replace(/^《(.*)》/, '$1').replace(DRAFT_NOTE, '').replace(/^《(.*)》$/, '$1').trim().slice(0, 200);
}
