import { CHARTER_TEXT, charterHistory, finalVoteText } from './charter.ts';
import { MINUTES_TEXT, paren, sectionHeading, withColon } from './text.ts';

/** The colon (and space) that follows a label in its script. */
const colonOf = (label: string) => withColon(label).slice(label.length);
import type { Block, Inline, InlineRun, Minutes, MinutesFollowUp } from './types.ts';

/**
 * Backslash-escapes what CommonMark/GFM (and the HTML it allows) would read as markup. CommonMark
 * lets any ASCII punctuation be escaped, so escaping `<` and `&` also keeps user text from ever
 * becoming HTML or an entity.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|~&{}]/g, '\\$&')
    .replace(/^(\s*)([#+=-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
    .replace(/^(\s*)!/gm, '$1\\!');
}

/** Text for a table cell: escaped, on one line (line breaks become <br>, which we write, not the user). */
function cell(text: string): string {
  return escapeMarkdown(text).replace(/\r?\n/g, '<br>') || ' ';
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

type Mark = 'bold' | 'italic' | 'strike' | 'underline';
const MARK_ORDER: Mark[] = ['bold', 'italic', 'strike', 'underline'];
const OPEN: Record<Mark, string> = { bold: '**', italic: '*', strike: '~~', underline: '<u>' };
const CLOSE: Record<Mark, string> = { bold: '**', italic: '*', strike: '~~', underline: '</u>' };

function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\n/g, ' ')}${pad}${fence}`;
}

/**
 * Inline runs as Markdown. Marks open and close like a stack, so neighbouring runs that share bold
 * stay inside one `**…**`; whitespace is kept outside the markers, where CommonMark needs it.
 */
export function inlineMarkdown(content: Inline[]): string {
  let out = '';
  const open: Mark[] = [];
  let pendingSpace = '';
  const closeFrom = (index: number) => {
    while (open.length > index) out += CLOSE[open.pop()!];
  };
  for (const inline of content) {
    if (!('text' in inline)) {
      closeFrom(0);
      out += `${pendingSpace}\\\n`;
      pendingSpace = '';
      continue;
    }
    const run: InlineRun = inline;
    const lines = run.text.split('\n');
    lines.forEach((line, li) => {
      if (li > 0) {
        closeFrom(0);
        out += `${pendingSpace}\\\n`;
        pendingSpace = '';
      }
      const lead = /^\s*/.exec(line)![0];
      const trail = line.length > lead.length ? /\s*$/.exec(line)![0] : '';
      const core = line.slice(lead.length, line.length - trail.length);
      if (!core) {
        pendingSpace += line;
        return;
      }
      const wanted = MARK_ORDER.filter((m) => run[m]);
      const keep = open.findIndex((m) => !wanted.includes(m));
      closeFrom(keep < 0 ? open.length : keep);
      out += pendingSpace + lead;
      for (const m of wanted) {
        if (!open.includes(m)) {
          out += OPEN[m];
          open.push(m);
        }
      }
      out += run.code ? codeSpan(core) : escapeMarkdown(core);
      pendingSpace = trail;
    });
  }
  closeFrom(0);
  return out + pendingSpace.replace(/\s+$/, '');
}

function indent(lines: string[], prefix: string, first = prefix): string[] {
  return lines.map((line, i) => (line ? (i === 0 ? first : prefix) + line : line));
}

/** Blocks as Markdown lines; headings start at `headingBase + level` (clamped to 6). */
export function blocksMarkdown(blocks: Block[], headingBase: number): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    if (out.length) out.push('');
    switch (block.type) {
      case 'paragraph':
        out.push(inlineMarkdown(block.content));
        break;
      case 'heading':
        out.push(`${'#'.repeat(Math.min(6, headingBase + block.level))} ${inlineMarkdown(block.content).replace(/\\\n/g, ' ')}`);
        break;
      case 'list':
        block.items.forEach((item, i) => {
          const marker = block.ordered ? `${block.start + i}. ` : '- ';
          const body = blocksMarkdown(item, headingBase);
          out.push(...indent(body.length ? body : [''], ' '.repeat(marker.length), marker));
          if (!body.length) out[out.length - 1] = marker.trimEnd();
        });
        break;
      case 'quote':
        out.push(...blocksMarkdown(block.content, headingBase).map((line) => (line ? `> ${line}` : '>')));
        break;
      case 'code': {
        const longest = Math.max(2, ...(block.text.match(/`+/g) ?? []).map((m) => m.length));
        const fence = '`'.repeat(longest + 1);
        out.push(fence, ...block.text.split('\n'), fence);
        break;
      }
      case 'rule':
        out.push('---');
        break;
    }
  }
  return out;
}

function followUpRows(list: MinutesFollowUp[], carried: boolean, text: (typeof MINUTES_TEXT)['zh-CN']): string[][] {
  return list.map((f) => {
    const due = f.dueDate ? (f.overdue ? `${f.dueDate}${paren(text.followUp.overdue)}` : f.dueDate) : '—';
    const row = [f.title, f.owner, due, f.statusLabel];
    if (carried) row.push(f.latestNote ? `${f.latestNote.date} ${f.latestNote.body}` : '—');
    return row;
  });
}

/** The minutes as a Markdown document (GFM tables). */
export function renderMarkdown(minutes: Minutes): string {
  const text = MINUTES_TEXT[minutes.locale];
  const sep = text.list;
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const field = (name: string, value: string) => line(`- **${escapeMarkdown(name)}**${colonOf(name)}${escapeMarkdown(value.replace(/\s*\n\s*/g, ' '))}`);
  let section = 0;
  const heading = (title: string) => {
    line();
    line(`## ${escapeMarkdown(sectionHeading(minutes.locale, section++, title))}`);
    line();
  };

  line(`# ${escapeMarkdown(minutes.title)} ${escapeMarkdown(minutes.heading)}`);
  line();
  field(text.fields.kind, minutes.kindLabel);
  field(text.fields.date, minutes.time ? `${minutes.date} ${minutes.time}` : minutes.date);
  field(text.fields.place, minutes.place ?? '—');
  field(text.fields.community, minutes.community || '—');
  field(text.fields.host, minutes.hosts.join(sep) || '—');
  field(text.fields.secretary, minutes.secretaries.join(sep) || '—');
  field(text.record.field, minutes.record.status);
  for (const reopening of minutes.record.reopenings) field(text.record.reopenedField, reopening);

  heading(text.sections.attendance);
  line(escapeMarkdown(text.attendance.total(minutes.attendance.total)));
  line();
  out.push(
    ...table(
      [text.attendance.group, text.attendance.count, text.attendance.names],
      minutes.attendance.groups.map((g) => [g.label, String(g.count), g.names.join(sep)]),
    ),
  );
  if (minutes.attendance.observers.length) {
    line();
    line(`${withColon(escapeMarkdown(text.attendance.observers))}${escapeMarkdown(minutes.attendance.observers.join(sep))}`);
  }

  heading(text.sections.agenda);
  if (!minutes.items.length) line(escapeMarkdown(text.none));
  for (const item of minutes.items) {
    line(`### ${item.index}\\. ${escapeMarkdown(item.title)}`);
    line();
    const facts = [
      item.presenter ? `${withColon(text.fields.presenter)}${item.presenter}` : null,
      item.minutes ? `${withColon(text.fields.planned)}${text.item.minutes(item.minutes)}` : null,
      `${withColon(text.fields.status)}${item.statusLabel}`,
    ].filter((f): f is string => f !== null);
    line(escapeMarkdown(facts.join('　')));
    for (const [label, blocks] of [
      [text.item.notes, item.notes],
      [text.item.decision, item.decision],
    ] as const) {
      if (!blocks.length) continue;
      line();
      line(`**${escapeMarkdown(label)}**`);
      line();
      out.push(...blocksMarkdown(blocks, 3));
    }
    line();
  }

  heading(text.sections.polls);
  if (!minutes.polls.length) line(escapeMarkdown(text.none));
  for (const poll of minutes.polls) {
    line(`### ${poll.index}\\. ${escapeMarkdown(poll.title)}`);
    line();
    field(text.fields.ballot, `${poll.kindLabel}，${poll.ballotLabel}`);
    if (poll.agendaItemTitle) field(text.fields.agendaItem, poll.agendaItemTitle);
    field(text.fields.rule, poll.rule);
    if (poll.electorate) field(text.fields.electorate, poll.electorate);
    field(text.fields.quorum, poll.quorum ?? text.none);
    field(text.fields.turnout, text.poll.turnout(poll.turnout.voted, poll.turnout.eligible));
    line(`- **${escapeMarkdown(text.fields.outcome)}**${colonOf(text.fields.outcome)}**${escapeMarkdown(poll.outcome.text)}**`);
    if (poll.rows.length) {
      line();
      const ranked = poll.kind === 'ranking';
      const header = ranked ? [text.poll.rank, text.poll.option, poll.valueLabel] : [text.poll.option, poll.valueLabel];
      out.push(
        ...table(
          header,
          poll.rows.map((r) => {
            const mark = r.mark === 'elected' ? `${paren(text.poll.electedMark)}` : r.mark === 'tie' ? `${paren(text.poll.tieMark)}` : '';
            return ranked ? [String(r.rank ?? ''), r.label + mark, String(r.value)] : [r.label + mark, String(r.value)];
          }),
        ),
      );
    }
    if (poll.double) {
      line();
      line(`**${escapeMarkdown(poll.double.notice)}**`);
      line();
      out.push(...table(poll.double.header, poll.double.rows));
    }
    if (poll.votes.length) {
      line();
      line(`**${escapeMarkdown(text.poll.namedVotes)}**`);
      line();
      out.push(...table([text.attendance.names, text.poll.option], poll.votes.map((v) => [v.name, v.choice])));
    }
    line();
  }

  if (minutes.draws.length) {
    heading(text.sections.draws);
    const d = text.draw;
    for (const draw of minutes.draws) {
      line(`### ${draw.index}\\. ${escapeMarkdown(draw.title)}`);
      line();
      field(d.winners, String(draw.winners));
      field(d.source, draw.seedSource);
      field(d.seed, draw.seed ?? d.pending);
      if (draw.key) field(d.key, draw.key);
      field(d.method, draw.method);
      if (draw.result) line(`- **${escapeMarkdown(d.result)}**${colonOf(d.result)}**${escapeMarkdown(draw.result.join(sep))}**`);
      if (draw.verifyUrl) field(d.verify, draw.verifyUrl);
      line();
      line(`**${escapeMarkdown(d.entries)}**`);
      line();
      // Numbered as published: entry i is number i of the draw.
      draw.entries.forEach((e, i) => line(`${i + 1}. ${escapeMarkdown(e)}`));
      line();
    }
  }

  if (minutes.charter) {
    const c = minutes.charter;
    const ct = CHARTER_TEXT[minutes.locale];
    heading(ct.section);
    line(`### ${escapeMarkdown(c.title)}`);
    line();
    field(text.fields.status, c.statusLabel);
    field(ct.finalVote, finalVoteText(c, minutes.locale));
    line();
    line(`**${escapeMarkdown(ct.adoptedText)}**`);
    line();
    for (const clause of c.adoptedText) {
      out.push(...clause.split('\n').map((l) => `> ${escapeMarkdown(l)}`));
      line('>');
    }
    if (out[out.length - 1] === '>') out.pop();
    line();
    line(escapeMarkdown(ct.leftOut));
    line();
    line(`**${escapeMarkdown(ct.history)}**`);
    line();
    for (const row of charterHistory(c, minutes.locale)) {
      line(`${row.number}. **${escapeMarkdown(row.label)}**　${escapeMarkdown(row.text)}`);
      for (const note of row.notes) line(`   - ${escapeMarkdown(note.text)}`);
    }
    line();
  }

  heading(text.sections.followUps);
  const fu = text.followUp;
  if (minutes.followUps.carriedOver.length) {
    line(`### ${escapeMarkdown(text.sections.carriedOver)}`);
    line();
    out.push(...table([fu.title, fu.owner, fu.due, fu.status, fu.progress], followUpRows(minutes.followUps.carriedOver, true, text)));
    line();
  }
  if (minutes.followUps.created.length) out.push(...table([fu.title, fu.owner, fu.due, fu.status], followUpRows(minutes.followUps.created, false, text)));
  else line(escapeMarkdown(fu.none));

  heading(text.sections.summary);
  if (minutes.summary.length) minutes.summary.forEach((p, i) => (i ? (line(), line(escapeMarkdown(p))) : line(escapeMarkdown(p))));
  else line(escapeMarkdown(text.none));

  heading(text.sections.signatures);
  for (const label of minutes.signatures) {
    line(`${withColon(escapeMarkdown(label))}\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_`);
    line();
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
