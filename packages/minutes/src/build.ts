import { AFFILIATIONS, electionNoteText, formatArea, LABELS, percentOf, standings, type FollowUpDto, type Locale, type OwnersResult, type PollChoice, type PollDto, type PollResult } from '@yishi/model';
import { buildCharterMinutes } from './charter.ts';
import { noteBlocks } from './rich.ts';
import { MINUTES_TEXT, type MinutesText } from './text.ts';
import type { Attendance, MinutesDraw, MinutesFollowUp, MinutesInput, MinutesItem, MinutesPoll, MinutesPollRow, Minutes, PollOutcomeCode } from './types.ts';

/** The communities' clock: dates and times in the minutes are China Standard Time. */
export const MINUTES_TIME_ZONE = 'Asia/Shanghai';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: MINUTES_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** An instant's calendar date and time in China. */
export function chinaTime(iso: string): { year: number; month: number; day: number; weekday: number; hh: string; mm: string; isoDate: string } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${iso}`);
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    year,
    month,
    day,
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
    hh: parts.hour ?? '00',
    mm: parts.minute ?? '00',
    isoDate: `${year}-${pad(month)}-${pad(day)}`,
  };
}

function attendance(input: MinutesInput, locale: Locale): Attendance {
  const present = input.roster.filter((p) => p.present);
  const members = present.filter((p) => p.role !== 'observer');
  const groups = AFFILIATIONS.map((affiliation) => {
    const names = members.filter((p) => p.affiliation === affiliation).map((p) => p.name);
    return { affiliation, label: LABELS[locale].affiliation[affiliation], count: names.length, names };
  }).filter((g) => g.count > 0);
  return { total: members.length, groups, observers: present.filter((p) => p.role === 'observer').map((p) => p.name) };
}

function items(input: MinutesInput, text: MinutesText): MinutesItem[] {
  return (input.doc?.items ?? []).map((item, i) => ({
    index: i + 1,
    id: item.id,
    title: item.title,
    presenter: item.presenter,
    minutes: item.minutes,
    status: item.status,
    statusLabel: text.agendaStatus[item.status],
    notes: noteBlocks(item.notes),
    decision: noteBlocks(item.decision),
  }));
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function ruleText(poll: PollDto, text: MinutesText): string {
  switch (poll.kind) {
    case 'motion':
      return text.poll.rule[poll.rule ?? 'majority'];
    case 'election':
      return text.poll.seats(poll.seats ?? 1);
    case 'choice':
      return text.poll.choice;
    case 'ranking':
      return text.poll.ranking;
    case 'owners':
      return text.poll.owners.matter[poll.matter ?? 'ordinary'];
  }
}

/**
 * An owners' poll's double count as a table: yes / no / abstain by area and by heads (shares of
 * those who took part), then participation against the register (areas in m² with two decimals).
 */
export function doubleCount(result: OwnersResult, text: MinutesText): NonNullable<MinutesPoll['double']> {
  const o = text.poll.owners;
  const { area, heads } = result;
  const choice = (id: 'yes' | 'no' | 'abstain') => [
    text.poll.motionChoice[id],
    o.part(formatArea(area[id]), percentOf(area[id], area.participating)),
    o.part(String(heads[id]), percentOf(heads[id], heads.participating)),
  ];
  return {
    notice: o.notice,
    header: ['', o.area, o.heads],
    rows: [
      choice('yes'),
      choice('no'),
      choice('abstain'),
      [
        o.participating,
        o.share(formatArea(area.participating), formatArea(area.total), percentOf(area.participating, area.total)),
        o.share(String(heads.participating), String(heads.total), percentOf(heads.participating, heads.total)),
      ],
    ],
  };
}

function labelOf(poll: PollDto, id: string, text: MinutesText): string {
  if ((poll.kind === 'motion' || poll.kind === 'owners') && (id === 'yes' || id === 'no' || id === 'abstain')) return text.poll.motionChoice[id];
  return poll.options.find((o) => o.id === id)?.label ?? id;
}

/** Counts (or scores) and the outcome in words, from a closed poll's stored result. */
function pollOutcome(poll: PollDto, result: PollResult, text: MinutesText, locale: Locale): { rows: MinutesPollRow[]; code: PollOutcomeCode; outcome: string } {
  const list = (ids: string[]) => ids.map((id) => labelOf(poll, id, text)).join(text.list);
  const quorumFailed = !result.quorumMet;
  if ('area' in result) {
    const o = text.poll.owners;
    const paper = result.paper ? `${text.list === ', ' ? '; ' : '；'}${o.paper(result.paper)}` : '';
    if (!result.participationMet) return { rows: [], code: 'quorum-not-met', outcome: o.participationNotMet + paper };
    const sep = text.list === ', ' ? '; ' : '；';
    return { rows: [], code: result.passed ? 'passed' : 'failed', outcome: `${result.passed ? text.poll.passed : text.poll.failed}${sep}${o.participationMet}${paper}` };
  }
  if ('passed' in result) {
    const rows = (['yes', 'no', 'abstain'] as const).map((id) => ({ label: text.poll.motionChoice[id], value: result.counts[id] }));
    if (quorumFailed) return { rows, code: 'quorum-not-met', outcome: text.poll.quorumNotMet };
    return { rows, code: result.passed ? 'passed' : 'failed', outcome: result.passed ? text.poll.passed : text.poll.failed };
  }
  if ('elected' in result) {
    const rows: MinutesPollRow[] = poll.options
      .map((o) => {
        const row: MinutesPollRow = { label: o.label, value: result.counts[o.id] ?? 0 };
        if (result.elected.includes(o.id)) row.mark = 'elected';
        else if (result.tie.includes(o.id)) row.mark = 'tie';
        return row;
      })
      .sort((a, b) => b.value - a.value);
    if (quorumFailed) return { rows, code: 'quorum-not-met', outcome: text.poll.quorumNotMet };
    const parts = [result.elected.length ? text.poll.elected(list(result.elected)) : text.poll.noneElected];
    if (result.tie.length) parts.push(text.poll.tie(list(result.tie)));
    // Elections with rules: why candidates were passed over, and the seats left for a further round.
    for (const note of result.notes ?? []) parts.push(electionNoteText(note, locale, (id) => labelOf(poll, id, text)).replace(/[。.]$/, ''));
    return { rows, code: result.tie.length ? 'tie' : 'elected', outcome: parts.join(text.list === ', ' ? '; ' : '；') };
  }
  if ('order' in result) {
    // Equal scores share a place and are marked tied: the minutes never order them silently.
    const placed = standings(poll.options.map((o) => o.id), result.scores);
    const rows = placed.map((s) => {
      const row: MinutesPollRow = { label: labelOf(poll, s.id, text), value: s.value, rank: s.place };
      if (s.tied) row.mark = 'tie';
      return row;
    });
    if (quorumFailed) return { rows, code: 'quorum-not-met', outcome: text.poll.quorumNotMet };
    const named = placed.map((s) => `${s.place}${s.tied ? '=' : ''}. ${labelOf(poll, s.id, text)}`).join(text.list);
    const tied = [...new Set(placed.filter((s) => s.tied).map((s) => s.place))].map((place) => list(placed.filter((s) => s.place === place).map((s) => s.id)));
    const outcome = [text.poll.order(named), ...tied.map((names) => text.poll.rankTie(names))].join(text.list === ', ' ? '; ' : '；');
    return { rows, code: 'ranked', outcome };
  }
  const counts = result.counts;
  const rows = poll.options.map((o) => ({ label: o.label, value: counts[o.id] ?? 0 }));
  if (quorumFailed) return { rows, code: 'quorum-not-met', outcome: text.poll.quorumNotMet };
  const max = Math.max(0, ...rows.map((r) => r.value));
  const top = poll.options.filter((o) => max > 0 && (counts[o.id] ?? 0) === max).map((o) => o.id);
  return { rows, code: 'counted', outcome: top.length ? text.poll.top(list(top)) : text.none };
}

function choiceText(poll: PollDto, choice: PollChoice, text: MinutesText): string {
  // Marks ballots (named elections): the candidates marked 贊成.
  const ids = Array.isArray(choice) ? choice : typeof choice === 'string' ? [choice] : Object.keys(choice).filter((id) => choice[id] === 'yes');
  const labels = ids.map((id) => labelOf(poll, id, text));
  return poll.kind === 'ranking' ? labels.map((l, i) => `${i + 1}. ${l}`).join(text.list) : labels.join(text.list);
}

function polls(input: MinutesInput, locale: Locale, text: MinutesText): MinutesPoll[] {
  const itemTitle = new Map((input.doc?.items ?? []).map((i) => [i.id, i.title]));
  // Drafts never ran: they are not part of what the meeting decided.
  return input.polls
    .filter((p) => p.status !== 'draft')
    .map((poll, i) => {
      const closed = poll.status === 'closed' && poll.result !== undefined;
      const shown = closed ? pollOutcome(poll, poll.result!, text, locale) : { rows: [], code: 'not-closed' as const, outcome: text.poll.notClosed };
      const electorate = poll.eligibleAffiliations?.length
        ? poll.eligibleAffiliations.map((a) => LABELS[locale].affiliation[a as keyof (typeof LABELS)['zh-CN']['affiliation']] ?? a).join(text.list)
        : null;
      return {
        index: i + 1,
        id: poll.id,
        title: poll.title,
        kind: poll.kind,
        kindLabel: LABELS[locale].pollKind[poll.kind],
        secret: poll.secret,
        ballotLabel: poll.secret ? text.poll.secret : text.poll.named,
        rule: ruleText(poll, text),
        quorum: poll.quorum !== undefined && poll.quorum > 0 ? text.poll.quorum(percent(poll.quorum)) : null,
        electorate,
        agendaItemTitle: poll.agendaItemId ? (itemTitle.get(poll.agendaItemId) ?? null) : null,
        closed,
        turnout: closed ? { voted: poll.result!.ballots, eligible: poll.result!.eligible } : { ...poll.turnout },
        valueLabel: poll.kind === 'ranking' ? text.poll.score : text.poll.votes,
        rows: shown.rows,
        outcome: { code: shown.code, text: shown.outcome },
        // Only a named poll's result lists voters; a secret poll's choices never enter the minutes.
        votes: !poll.secret && closed ? (poll.result!.votes ?? []).map((v) => ({ name: v.name, choice: choiceText(poll, v.choice, text) })) : [],
        ...(closed && 'area' in poll.result! ? { double: doubleCount(poll.result, text) } : {}),
      };
    });
}

function followUp(f: FollowUpDto, locale: Locale): MinutesFollowUp {
  const labels = LABELS[locale];
  const affiliation = labels.affiliation[f.ownerAffiliation];
  const ownerName = f.ownerName?.trim() || null;
  const latest = [...f.notes].reverse().find((n) => n.body.trim());
  return {
    title: f.title,
    affiliation: f.ownerAffiliation,
    owner: ownerName ? `${affiliation} · ${ownerName}` : affiliation,
    ownerName,
    dueDate: f.dueDate,
    status: f.status,
    statusLabel: labels.followUpStatus[f.status],
    overdue: f.overdue,
    latestNote: latest ? { date: chinaTime(latest.createdAt).isoDate, body: latest.body } : null,
    origin: f.meetingTitle,
  };
}

/** Splits the secretary's summary into paragraphs (blank lines and line breaks both separate). */
function summaryParagraphs(summary: string | null): string[] {
  return (summary ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** An instant as the minutes write it: the date in words and HH:mm, China time. */
function moment(iso: string, text: MinutesText): string {
  const t = chinaTime(iso);
  return `${text.date(t.year, t.month, t.day, text.weekday[t.weekday] ?? '')} ${t.hh}:${t.mm}`;
}

function record(input: MinutesInput, text: MinutesText): Minutes['record'] {
  const finalizedAt = input.meeting.finalizedAt ?? null;
  return {
    final: finalizedAt !== null,
    status: finalizedAt ? text.record.final(moment(finalizedAt, text)) : text.record.draft,
    reopenings: (input.meeting.reopenings ?? []).map((r) => text.record.reopened(moment(r.at, text), r.byName, r.reason)),
  };
}

/** Draws by lot in creation order, with their inputs, method and result. */
function draws(input: MinutesInput, text: MinutesText): MinutesDraw[] {
  return (input.draws ?? []).map((d, i) => ({
    index: i + 1,
    id: d.id,
    title: d.title,
    entries: d.entries,
    winners: d.winners,
    seedSource: d.seedSource,
    seed: d.seed,
    key: d.key,
    method: text.draw.methodText,
    result: d.result,
    verifyUrl: d.verifyUrl ?? null,
  }));
}

/** The one model of a meeting's minutes, assembled from its document, polls, roster and follow-ups. */
export function buildMinutes(input: MinutesInput, locale: Locale = 'zh-CN'): Minutes {
  const text = MINUTES_TEXT[locale];
  const when = chinaTime(input.meeting.startsAt ?? input.meeting.createdAt);
  const byRole = (role: string) => input.roster.filter((p) => p.role === role).map((p) => p.name);
  return {
    locale,
    meetingId: input.meeting.id,
    heading: text.heading,
    title: input.meeting.title,
    kind: input.meeting.kind,
    kindLabel: LABELS[locale].kind[input.meeting.kind],
    isoDate: when.isoDate,
    date: text.date(when.year, when.month, when.day, text.weekday[when.weekday] ?? ''),
    time: input.meeting.startsAt ? `${when.hh}:${when.mm}` : null,
    place: input.meeting.location?.trim() || null,
    community: input.meeting.communityName,
    hosts: byRole('host'),
    secretaries: byRole('secretary'),
    attendance: attendance(input, locale),
    items: items(input, text),
    polls: polls(input, locale, text),
    draws: draws(input, text),
    charter: input.charter ? buildCharterMinutes(input.charter, input.polls, locale) : null,
    followUps: {
      carriedOver: input.followUps.carriedOver.map((f) => followUp(f, locale)),
      created: input.followUps.created.map((f) => followUp(f, locale)),
    },
    summary: summaryParagraphs(input.meeting.summary),
    record: record(input, text),
    signatures: [...text.signatures],
  };
}
