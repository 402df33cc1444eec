import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import {
  adoptedClauses,
  type AmendmentKind,
  type AmendmentStatus,
  type CharterJson,
  type CharterStatus,
  type ClauseStatus,
  type Locale,
  type PollDto,
  type VoteCounts,
} from '@yishi/model';
import { withColon } from './text.ts';

/** Words of the charter section (逐条协商) and of the adopted text on its own. */
export interface CharterText {
  section: string;
  adoptedText: string;
  history: string;
  status: Record<CharterStatus, string>;
  clauseStatus: Record<ClauseStatus, string>;
  kind: Record<AmendmentKind, string>;
  outcome: Record<AmendmentStatus, string>;
  proposedBy: (name: string) => string;
  votes: (v: VoteCounts) => string;
  original: string;
  finalText: string;
  noAmendments: string;
  finalVote: string;
  adopted: string;
  notAdopted: string;
  notVoted: string;
  leftOut: string;
  clause: (n: number) => string;
  inserted: string;
}

export const CHARTER_TEXT: Record<Locale, CharterText> = {
  'zh-CN': {
    section: '规约逐条协商',
    adoptedText: '通过文本',
    history: '逐条记录',
    status: { drafting: '草稿', deliberating: '逐条协商中', adopting: '全文表决中', adopted: '已通过', rejected: '全文未获通过' },
    clauseStatus: { pending: '待协商', agreed: '通过', deferred: '搁置', deleted: '删除' },
    kind: { replace: '修改', insert: '增加条款', delete: '删除条款' },
    outcome: { open: '未决', accepted: '采纳', rejected: '不采纳', withdrawn: '已撤回' },
    proposedBy: (name) => `${name}提出`,
    votes: (v) => `赞成 ${v.yes}，反对 ${v.no}，弃权 ${v.abstain}`,
    original: '原文',
    finalText: '定稿条文',
    noAmendments: '无修改意见',
    finalVote: '全文表决',
    adopted: '通过',
    notAdopted: '未通过',
    notVoted: '尚未表决',
    leftOut: '搁置和删除的条款不在通过文本中。',
    clause: (n) => `第 ${n} 项`,
    inserted: '（由修改意见增加）',
  },
  'zh-TW': {
    section: '規約逐條協商',
    adoptedText: '通過文本',
    history: '逐條紀錄',
    status: { drafting: '草稿', deliberating: '逐條協商中', adopting: '全文表決中', adopted: '已通過', rejected: '全文未獲通過' },
    clauseStatus: { pending: '待協商', agreed: '通過', deferred: '擱置', deleted: '刪除' },
    kind: { replace: '修改', insert: '增加條款', delete: '刪除條款' },
    outcome: { open: '未決', accepted: '採納', rejected: '不採納', withdrawn: '已撤回' },
    proposedBy: (name) => `${name}提出`,
    votes: (v) => `贊成 ${v.yes}，反對 ${v.no}，棄權 ${v.abstain}`,
    original: '原文',
    finalText: '定稿條文',
    noAmendments: '無修改意見',
    finalVote: '全文表決',
    adopted: '通過',
    notAdopted: '未通過',
    notVoted: '尚未表決',
    leftOut: '擱置和刪除的條款不在通過文本中。',
    clause: (n) => `第 ${n} 項`,
    inserted: '（由修改意見增加）',
  },
  en: {
    section: 'Charter, clause by clause',
    adoptedText: 'Adopted text',
    history: 'Clause by clause',
    status: { drafting: 'draft', deliberating: 'being deliberated', adopting: 'final vote under way', adopted: 'adopted', rejected: 'not adopted' },
    clauseStatus: { pending: 'pending', agreed: 'agreed', deferred: 'deferred', deleted: 'deleted' },
    kind: { replace: 'change', insert: 'new clause', delete: 'delete clause' },
    outcome: { open: 'undecided', accepted: 'accepted', rejected: 'rejected', withdrawn: 'withdrawn' },
    proposedBy: (name) => `proposed by ${name}`,
    votes: (v) => `yes ${v.yes}, no ${v.no}, abstain ${v.abstain}`,
    original: 'Draft',
    finalText: 'Final text',
    noAmendments: 'No amendments',
    finalVote: 'Final vote',
    adopted: 'adopted',
    notAdopted: 'not adopted',
    notVoted: 'not voted yet',
    leftOut: 'Deferred and deleted clauses are not part of the adopted text.',
    clause: (n) => `Item ${n}`,
    inserted: ' (added by an amendment)',
  },
};

/** One amendment as the minutes record it. */
export interface MinutesAmendment {
  kind: string;
  text: string;
  byName: string;
  outcome: string;
  /** Vote numbers when it was put to a vote. */
  votes: string | null;
  /** All of it in one line of words (amendmentLine). */
  line: string;
}

/** One clause with its history. */
export interface MinutesClause {
  number: number;
  text: string;
  original: string;
  changed: boolean;
  inserted: boolean;
  status: ClauseStatus;
  statusLabel: string;
  amendments: MinutesAmendment[];
}

/** The charter section of the minutes, and what the adopted-text export prints. */
export interface MinutesCharter {
  title: string;
  status: CharterStatus;
  statusLabel: string;
  adopted: boolean;
  /** The agreed clauses in order. */
  adoptedText: string[];
  clauses: MinutesClause[];
  finalVote: { outcome: string; votes: string | null };
  /** The section's words in the minutes' language (the print page renders from the model alone). */
  labels: Pick<CharterText, 'section' | 'adoptedText' | 'history' | 'finalVote' | 'leftOut' | 'original' | 'inserted'>;
}

function pollVotes(polls: readonly PollDto[], pollId: string | null): { counts: VoteCounts; passed: boolean } | null {
  const poll = pollId ? polls.find((p) => p.id === pollId) : undefined;
  const result = poll?.status === 'closed' && poll.kind === 'motion' ? poll.result : undefined;
  if (!result || !('counts' in result) || !('passed' in result)) return null;
  return { counts: result.counts, passed: result.passed && result.quorumMet };
}

/** The charter as the minutes show it; vote numbers come from the closed polls when known. */
export function buildCharterMinutes(charter: CharterJson, polls: readonly PollDto[], locale: Locale): MinutesCharter {
  const text = CHARTER_TEXT[locale];
  const final = pollVotes(polls, charter.adoptionPoll);
  const finalCounts = final?.counts ?? charter.adoptionVotes;
  return {
    title: charter.title,
    status: charter.status,
    statusLabel: text.status[charter.status],
    adopted: charter.status === 'adopted',
    adoptedText: adoptedClauses(charter).map((c) => c.text),
    clauses: charter.clauses.map((c) => ({
      number: c.number,
      text: c.text,
      original: c.original,
      changed: c.original !== '' && c.original !== c.text,
      inserted: c.fromAmendment !== null,
      status: c.status,
      statusLabel: text.clauseStatus[c.status],
      amendments: c.amendments.map((a) => {
        const counts = pollVotes(polls, a.pollId)?.counts ?? a.votes;
        const row = { kind: text.kind[a.kind], text: a.text, byName: a.byName, outcome: text.outcome[a.status], votes: counts ? text.votes(counts) : null };
        return { ...row, line: amendmentLine(row, locale) };
      }),
    })),
    finalVote: {
      outcome: charter.adoptionPassed === null ? text.notVoted : charter.adoptionPassed ? text.adopted : text.notAdopted,
      votes: finalCounts ? text.votes(finalCounts) : null,
    },
    labels: {
      section: text.section,
      adoptedText: text.adoptedText,
      history: text.history,
      finalVote: text.finalVote,
      leftOut: text.leftOut,
      original: text.original,
      inserted: text.inserted,
    },
  };
}

/** One clause's line in the history, and the lines under it (its original wording when changed, then its amendments). */
export interface CharterHistoryRow {
  number: number;
  /** 通过 / 搁置 / 删除, with 新增 for a clause an amendment inserted. */
  label: string;
  text: string;
  notes: { text: string; quiet: boolean }[];
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

/** The clause-by-clause history as both renderers print it (Markdown and DOCX differ only in markup). */
export function charterHistory(charter: MinutesCharter, locale: Locale): CharterHistoryRow[] {
  const text = CHARTER_TEXT[locale];
  return charter.clauses.map((clause) => ({
    number: clause.number,
    label: `${clause.statusLabel}${clause.inserted ? text.inserted : ''}`,
    text: oneLine(clause.text),
    notes: [
      ...(clause.changed ? [{ text: `${withColon(text.original)}${oneLine(clause.original)}`, quiet: true }] : []),
      ...clause.amendments.map((a) => ({ text: oneLine(amendmentLine(a, locale)), quiet: false })),
    ],
  }));
}

/** The final vote's outcome with its numbers, e.g. 通过（同意 12，反对 1，弃权 0）. */
export function finalVoteText(charter: MinutesCharter, locale: Locale): string {
  const { outcome, votes } = charter.finalVote;
  if (!votes) return outcome;
  return locale === 'en' ? `${outcome} (${votes})` : `${outcome}（${votes}）`;
}

/** One amendment in a line of words. */
export function amendmentLine(a: Omit<MinutesAmendment, 'line'>, locale: Locale): string {
  const text = CHARTER_TEXT[locale];
  const sep = locale === 'en' ? '; ' : '；';
  const body = a.text ? (locale === 'en' ? `: “${a.text}”` : `：“${a.text}”`) : '';
  return [`${a.kind}${body}`, text.proposedBy(a.byName), a.outcome, ...(a.votes ? [a.votes] : [])].join(sep);
}

const A4 = { width: 11906, height: 16838, top: 1797, bottom: 1440, left: 1440, right: 1440 };
const FONT: Record<Locale, string> = { 'zh-CN': 'SimSun', 'zh-TW': 'PMingLiU', en: 'SimSun' };

/** The adopted text on its own as a Word document: title, the agreed clauses, the final vote. */
export async function renderCharterDocx(charter: MinutesCharter, meta: { meetingTitle: string; date: string }, locale: Locale): Promise<Uint8Array<ArrayBuffer>> {
  const text = CHARTER_TEXT[locale];
  const body: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(charter.title || text.adoptedText)] }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: `${meta.meetingTitle} · ${meta.date} · ${withColon(text.finalVote)}${finalVoteText(charter, locale)}`, color: '555555' })],
    }),
    ...charter.adoptedText.map(
      (clause) =>
        new Paragraph({
          spacing: { before: 120 },
          children: clause.split('\n').map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : undefined })),
        }),
    ),
  ];
  const font = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: FONT[locale] };
  const doc = new Document({
    creator: 'yishi',
    title: charter.title,
    styles: {
      default: {
        document: { run: { font, size: 24 }, paragraph: { spacing: { line: 360, after: 60 } } },
        title: { run: { font: { ascii: 'Times New Roman', eastAsia: 'SimHei' }, size: 36, bold: true }, paragraph: { alignment: AlignmentType.CENTER, spacing: { after: 120 } } },
      },
    },
    sections: [{ properties: { page: { size: { width: A4.width, height: A4.height }, margin: A4 } }, children: body }],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
