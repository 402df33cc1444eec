import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ILevelsOptions,
  type ParagraphChild,
} from 'docx';
import type { Locale } from '@yishi/model';
import { CHARTER_TEXT, charterHistory, finalVoteText } from './charter.ts';
import { MINUTES_TEXT, paren, sectionHeading, withColon } from './text.ts';
import type { Block, Inline, Minutes, MinutesFollowUp } from './types.ts';

/** A4 in twentieths of a point, with 2.54 cm side margins and 3.17 cm / 2.54 cm top and bottom. */
const PAGE = { width: 11906, height: 16838, top: 1797, bottom: 1440, left: 1440, right: 1440 };
const TEXT_WIDTH = PAGE.width - PAGE.left - PAGE.right;

/**
 * Fonts per locale. Word keeps one name per script, so the fallback is the East Asian language tag:
 * without SimSun (Linux, LibreOffice) fontconfig picks an installed CJK serif such as Noto Serif CJK.
 */
const FONTS: Record<Locale, { body: string; heading: string; latin: string; lang: string }> = {
  'zh-CN': { body: 'SimSun', heading: 'SimHei', latin: 'Times New Roman', lang: 'zh-CN' },
  'zh-TW': { body: 'PMingLiU', heading: 'Microsoft JhengHei', latin: 'Times New Roman', lang: 'zh-TW' },
  en: { body: 'SimSun', heading: 'SimHei', latin: 'Times New Roman', lang: 'zh-CN' },
};
const MONO = 'Courier New';

const BULLETS = ['●', '○', '■'];
const INDENT = 420;

function levels(ordered: boolean): ILevelsOptions[] {
  return Array.from({ length: 9 }, (_, level) => ({
    level,
    format: ordered ? LevelFormat.DECIMAL : LevelFormat.BULLET,
    text: ordered ? `%${level + 1}.` : BULLETS[level % BULLETS.length]!,
    alignment: AlignmentType.LEFT,
    style: { paragraph: { indent: { left: INDENT * (level + 1), hanging: INDENT } } },
  }));
}

/** Builds the paragraphs of rich blocks; ordered lists each restart at their own instance. */
class BlockWriter {
  private listInstance = 0;

  runs(content: Inline[], extra: { bold?: boolean } = {}): ParagraphChild[] {
    const out: ParagraphChild[] = [];
    for (const inline of content) {
      if (!('text' in inline)) {
        out.push(new TextRun({ text: '', break: 1 }));
        continue;
      }
      inline.text.split('\n').forEach((line, i) => {
        out.push(
          new TextRun({
            text: line,
            break: i > 0 ? 1 : undefined,
            bold: inline.bold || extra.bold ? true : undefined,
            italics: inline.italic,
            strike: inline.strike,
            underline: inline.underline ? {} : undefined,
            font: inline.code ? MONO : undefined,
          }),
        );
      });
    }
    return out;
  }

  blocks(blocks: Block[], headingBase: number, listLevel = -1, indent = 0): Paragraph[] {
    const out: Paragraph[] = [];
    const indentOf = indent ? { left: indent } : undefined;
    for (const block of blocks) {
      switch (block.type) {
        case 'paragraph':
          out.push(new Paragraph({ children: this.runs(block.content), indent: indentOf }));
          break;
        case 'heading':
          out.push(new Paragraph({ heading: headingFor(headingBase + block.level), children: this.runs(block.content), indent: indentOf }));
          break;
        case 'list': {
          const level = Math.min(8, listLevel + 1);
          const instance = ++this.listInstance;
          const reference = block.ordered ? 'ordered' : 'bullet';
          for (const item of block.items) {
            const [first, ...rest] = item;
            const firstBlocks = first && (first.type === 'paragraph' || first.type === 'heading') ? first.content : [];
            out.push(new Paragraph({ children: this.runs(firstBlocks), numbering: { reference, level, instance } }));
            const remaining = first && first.type !== 'paragraph' && first.type !== 'heading' ? item : rest;
            out.push(...this.blocks(remaining, headingBase, level, INDENT * (level + 1)));
          }
          break;
        }
        case 'quote':
          for (const p of this.blocks(block.content, headingBase, listLevel, indent + INDENT)) out.push(p);
          break;
        case 'code':
          for (const line of block.text.split('\n')) {
            out.push(
              new Paragraph({
                children: [new TextRun({ text: line, font: MONO })],
                shading: { type: ShadingType.CLEAR, fill: 'F2F2F2', color: 'auto' },
                indent: indentOf,
              }),
            );
          }
          break;
        case 'rule':
          out.push(new Paragraph({ children: [], border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '999999', space: 1 } } }));
          break;
      }
    }
    return out;
  }
}

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6];
function headingFor(level: number) {
  return HEADINGS[Math.max(1, Math.min(6, level)) - 1]!;
}

function cellParagraphs(text: string, bold = false): Paragraph[] {
  return text.split('\n').map((line) => new Paragraph({ children: [new TextRun({ text: line, bold: bold || undefined })] }));
}

/** A full-width table whose first row repeats on every page as the header. */
function table(header: string[], rows: string[][], weights: number[]): Table {
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((w / total) * TEXT_WIDTH));
  const row = (cells: string[], head: boolean) =>
    new TableRow({
      tableHeader: head || undefined,
      cantSplit: true,
      children: cells.map(
        (text, i) =>
          new TableCell({
            children: cellParagraphs(text || ' ', head),
            width: { size: widths[i]!, type: WidthType.DXA },
            shading: head ? { type: ShadingType.CLEAR, fill: 'E7E6E6', color: 'auto' } : undefined,
          }),
      ),
    });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    rows: [row(header, true), ...rows.map((r) => row(r, false))],
  });
}

function field(name: string, value: string): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: `${withColon(name)}`, bold: true }), new TextRun({ text: value })] });
}

function followUpTable(list: MinutesFollowUp[], carried: boolean, text: (typeof MINUTES_TEXT)['zh-CN']): Table {
  const fu = text.followUp;
  const header = carried ? [fu.title, fu.owner, fu.due, fu.status, fu.progress] : [fu.title, fu.owner, fu.due, fu.status];
  const rows = list.map((f) => {
    const due = f.dueDate ? (f.overdue ? `${f.dueDate}${paren(fu.overdue)}` : f.dueDate) : '—';
    const row = [f.title, f.owner, due, f.statusLabel];
    if (carried) row.push(f.latestNote ? `${f.latestNote.date} ${f.latestNote.body}` : '—');
    return row;
  });
  return table(header, rows, carried ? [4, 3, 2, 1.5, 4] : [5, 3, 2, 1.5]);
}

/** The minutes as a Word document (A4, headings, numbered and bulleted lists, tables). */
export async function renderDocx(minutes: Minutes): Promise<Uint8Array<ArrayBuffer>> {
  const text = MINUTES_TEXT[minutes.locale];
  const fonts = FONTS[minutes.locale];
  const sep = text.list;
  const writer = new BlockWriter();
  const body: (Paragraph | Table)[] = [];
  let section = 0;
  const heading = (title: string) =>
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(sectionHeading(minutes.locale, section++, title))] }));
  const blank = () => body.push(new Paragraph({ children: [] }));

  body.push(new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [new TextRun(minutes.title)] }));
  body.push(
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 240 },
      children: [new TextRun({ text: minutes.heading, bold: true, size: 32, font: { ascii: fonts.latin, hAnsi: fonts.latin, eastAsia: fonts.heading } })],
    }),
  );
  body.push(field(text.fields.kind, minutes.kindLabel));
  body.push(field(text.fields.date, minutes.time ? `${minutes.date} ${minutes.time}` : minutes.date));
  body.push(field(text.fields.place, minutes.place ?? '—'));
  body.push(field(text.fields.community, minutes.community || '—'));
  body.push(field(text.fields.host, minutes.hosts.join(sep) || '—'));
  body.push(field(text.fields.secretary, minutes.secretaries.join(sep) || '—'));
  body.push(field(text.record.field, minutes.record.status));
  for (const reopening of minutes.record.reopenings) body.push(field(text.record.reopenedField, reopening));

  heading(text.sections.attendance);
  body.push(new Paragraph({ children: [new TextRun(text.attendance.total(minutes.attendance.total))] }));
  body.push(
    table(
      [text.attendance.group, text.attendance.count, text.attendance.names],
      minutes.attendance.groups.map((g) => [g.label, String(g.count), g.names.join(sep)]),
      [2, 1, 7],
    ),
  );
  if (minutes.attendance.observers.length) body.push(field(text.attendance.observers, minutes.attendance.observers.join(sep)));

  heading(text.sections.agenda);
  if (!minutes.items.length) body.push(new Paragraph({ children: [new TextRun(text.none)] }));
  for (const item of minutes.items) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${item.index}. ${item.title}`)] }));
    const facts = [
      item.presenter ? `${withColon(text.fields.presenter)}${item.presenter}` : null,
      item.minutes ? `${withColon(text.fields.planned)}${text.item.minutes(item.minutes)}` : null,
      `${withColon(text.fields.status)}${item.statusLabel}`,
    ].filter((f): f is string => f !== null);
    body.push(new Paragraph({ children: [new TextRun({ text: facts.join('　'), color: '555555' })] }));
    for (const [label, blocks] of [
      [text.item.notes, item.notes],
      [text.item.decision, item.decision],
    ] as const) {
      if (!blocks.length) continue;
      body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: `${withColon(label)}`, bold: true })] }));
      body.push(...writer.blocks(blocks, 2));
    }
  }

  heading(text.sections.polls);
  if (!minutes.polls.length) body.push(new Paragraph({ children: [new TextRun(text.none)] }));
  for (const poll of minutes.polls) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${poll.index}. ${poll.title}`)] }));
    body.push(field(text.fields.ballot, `${poll.kindLabel}，${poll.ballotLabel}`));
    if (poll.agendaItemTitle) body.push(field(text.fields.agendaItem, poll.agendaItemTitle));
    body.push(field(text.fields.rule, poll.rule));
    if (poll.electorate) body.push(field(text.fields.electorate, poll.electorate));
    body.push(field(text.fields.quorum, poll.quorum ?? text.none));
    body.push(field(text.fields.turnout, text.poll.turnout(poll.turnout.voted, poll.turnout.eligible)));
    body.push(new Paragraph({ children: [new TextRun({ text: `${withColon(text.fields.outcome)}`, bold: true }), new TextRun({ text: poll.outcome.text, bold: true })] }));
    if (poll.rows.length) {
      const ranked = poll.kind === 'ranking';
      body.push(
        table(
          ranked ? [text.poll.rank, text.poll.option, poll.valueLabel] : [text.poll.option, poll.valueLabel],
          poll.rows.map((r) => {
            const mark = r.mark === 'elected' ? `${paren(text.poll.electedMark)}` : r.mark === 'tie' ? `${paren(text.poll.tieMark)}` : '';
            return ranked ? [String(r.rank ?? ''), r.label + mark, String(r.value)] : [r.label + mark, String(r.value)];
          }),
          ranked ? [1, 6, 2] : [7, 2],
        ),
      );
    }
    if (poll.double) {
      body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: poll.double.notice, bold: true })] }));
      body.push(table(poll.double.header, poll.double.rows, [2, 4, 3]));
    }
    if (poll.votes.length) {
      body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: text.poll.namedVotes, bold: true })] }));
      body.push(table([text.attendance.names, text.poll.option], poll.votes.map((v) => [v.name, v.choice]), [3, 7]));
    }
  }

  if (minutes.draws.length) {
    heading(text.sections.draws);
    const d = text.draw;
    for (const draw of minutes.draws) {
      body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${draw.index}. ${draw.title}`)] }));
      body.push(field(d.winners, String(draw.winners)));
      body.push(field(d.source, draw.seedSource));
      body.push(field(d.seed, draw.seed ?? d.pending));
      if (draw.key) body.push(field(d.key, draw.key));
      body.push(field(d.method, draw.method));
      if (draw.result) body.push(new Paragraph({ children: [new TextRun({ text: `${withColon(d.result)}`, bold: true }), new TextRun({ text: draw.result.join(text.list), bold: true })] }));
      if (draw.verifyUrl) body.push(field(d.verify, draw.verifyUrl));
      body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: `${withColon(d.entries)}`, bold: true })] }));
      body.push(new Paragraph({ children: [new TextRun(draw.entries.map((e, i) => `${i + 1}. ${e}`).join('　'))] }));
    }
  }

  if (minutes.charter) {
    const c = minutes.charter;
    const ct = CHARTER_TEXT[minutes.locale];
    heading(ct.section);
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(c.title)] }));
    body.push(field(text.fields.status, c.statusLabel));
    body.push(field(ct.finalVote, finalVoteText(c, minutes.locale)));
    body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: ct.adoptedText, bold: true })] }));
    for (const clause of c.adoptedText)
      body.push(new Paragraph({ indent: { left: INDENT }, children: clause.split('\n').map((l, i) => new TextRun({ text: l, break: i > 0 ? 1 : undefined })) }));
    body.push(new Paragraph({ children: [new TextRun({ text: ct.leftOut, color: '555555' })] }));
    body.push(new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: ct.history, bold: true })] }));
    for (const row of charterHistory(c, minutes.locale)) {
      body.push(new Paragraph({ children: [new TextRun({ text: `${row.number}. ${row.label}　`, bold: true }), new TextRun(row.text)] }));
      for (const note of row.notes) body.push(new Paragraph({ indent: { left: INDENT }, children: [new TextRun({ text: note.text, ...(note.quiet ? { color: '555555' } : {}) })] }));
    }
  }

  heading(text.sections.followUps);
  if (minutes.followUps.carriedOver.length) {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(text.sections.carriedOver)] }));
    body.push(followUpTable(minutes.followUps.carriedOver, true, text));
    blank();
  }
  if (minutes.followUps.created.length) body.push(followUpTable(minutes.followUps.created, false, text));
  else body.push(new Paragraph({ children: [new TextRun(text.followUp.none)] }));

  heading(text.sections.summary);
  if (minutes.summary.length) for (const p of minutes.summary) body.push(new Paragraph({ indent: { firstLine: 480 }, children: [new TextRun(p)] }));
  else body.push(new Paragraph({ children: [new TextRun(text.none)] }));

  heading(text.sections.signatures);
  for (const label of minutes.signatures) {
    body.push(
      new Paragraph({
        spacing: { before: 360 },
        children: [new TextRun({ text: `${withColon(label)}`, bold: true }), new TextRun({ text: '\u3000'.repeat(14), underline: {} })],
      }),
    );
  }

  const run = { font: { ascii: fonts.latin, hAnsi: fonts.latin, cs: fonts.latin, eastAsia: fonts.body }, size: 24, language: { value: minutes.locale === 'en' ? 'en-GB' : fonts.lang, eastAsia: fonts.lang } };
  const headingRun = (size: number) => ({ font: { ascii: fonts.latin, hAnsi: fonts.latin, eastAsia: fonts.heading }, size, bold: true, color: '000000' });
  const doc = new Document({
    creator: 'yishi',
    title: `${minutes.title} ${minutes.heading}`,
    description: minutes.heading,
    styles: {
      default: {
        document: { run, paragraph: { spacing: { line: 360, after: 60 } } },
        title: { run: headingRun(40), paragraph: { alignment: AlignmentType.CENTER, spacing: { after: 120 } } },
        heading1: { run: headingRun(30), paragraph: { spacing: { before: 360, after: 120 }, keepNext: true } },
        heading2: { run: headingRun(26), paragraph: { spacing: { before: 240, after: 80 }, keepNext: true } },
        heading3: { run: headingRun(24), paragraph: { spacing: { before: 160, after: 60 }, keepNext: true } },
        heading4: { run: headingRun(24), paragraph: { keepNext: true } },
        heading5: { run: headingRun(22), paragraph: { keepNext: true } },
        heading6: { run: headingRun(22), paragraph: { keepNext: true } },
      },
    },
    numbering: {
      config: [
        { reference: 'bullet', levels: levels(false) },
        { reference: 'ordered', levels: levels(true) },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right },
          },
        },
        children: body,
      },
    ],
  });
  // A plain copy: a Node Buffer may sit in a shared pool, and HTTP bodies want their own ArrayBuffer.
  return new Uint8Array(await Packer.toBuffer(doc));
}
