import type { MinutesCharter } from './charter.ts';
import type {
  Affiliation,
  AgendaStatus,
  FollowUpDto,
  FollowUpStatus,
  Locale,
  MeetingDocJson,
  MeetingKind,
  CharterJson,
  DrawDto,
  ParticipantDto,
  PollDto,
  PollKind,
} from '@yishi/model';

/** What the minutes are assembled from: the meeting row, its roster, document, polls and follow-ups. */
export interface MinutesInput {
  meeting: {
    id: string;
    title: string;
    kind: MeetingKind;
    /** ISO 8601; the meeting's date and time. */
    startsAt: string | null;
    /** ISO 8601; stands in for the date when startsAt is not set. */
    createdAt: string;
    location: string | null;
    communityName: string;
    /** The closing summary the secretary wrote (plain text, paragraphs separated by line breaks). */
    summary: string | null;
    /** ISO 8601; when the minutes were made final (定稿), null or absent for a draft. */
    finalizedAt?: string | null;
    /** Every time final minutes were reopened, with who and why, oldest first. */
    reopenings?: { at: string; byName: string; reason: string }[];
  };
  roster: ParticipantDto[];
  /** The meeting document as read by readAgenda; null when the meeting never had one. */
  doc: MeetingDocJson | null;
  polls: PollDto[];
  /** Draws by lot (RFC 3797), each with the address of its public verification page. */
  draws?: (DrawDto & { verifyUrl?: string })[];
  followUps: { carriedOver: FollowUpDto[]; created: FollowUpDto[] };
  /** The charter deliberated clause by clause (readCharter), if the meeting had one. */
  charter?: CharterJson | null;
}

/** A draw by lot as the minutes record it: the inputs, the method and the result. */
export interface MinutesDraw {
  index: number;
  id: string;
  title: string;
  /** In the published order (entry i is number i + 1). */
  entries: string[];
  winners: number;
  seedSource: string;
  /** Null while the announced values are not known yet. */
  seed: string | null;
  key: string | null;
  /** The method in words. */
  method: string;
  /** The winners in the order drawn, or null. */
  result: string[] | null;
  verifyUrl: string | null;
}

/** Inline text with the marks the minutes carry over. */
export interface InlineRun {
  text: string;
  bold?: true;
  italic?: true;
  strike?: true;
  underline?: true;
  code?: true;
}
/** A line break inside a paragraph. */
export interface InlineBreak {
  break: true;
}
export type Inline = InlineRun | InlineBreak;

/** Rich text reduced to what every renderer can show faithfully. */
export type Block =
  | { type: 'paragraph'; content: Inline[] }
  /** Level relative to the note (1 = its top heading); renderers nest it under the agenda item. */
  | { type: 'heading'; level: number; content: Inline[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'quote'; content: Block[] }
  | { type: 'code'; text: string }
  | { type: 'rule' };

export interface AttendanceGroup {
  affiliation: Affiliation;
  label: string;
  count: number;
  names: string[];
}

export interface Attendance {
  /** Present participants who are not observers. */
  total: number;
  /** Affiliations in the contract's order; only those with someone present. */
  groups: AttendanceGroup[];
  /** Observers (旁聽, the projector) present: listed apart, not counted. */
  observers: string[];
}

export interface MinutesItem {
  index: number;
  id: string;
  title: string;
  presenter: string;
  /** Planned minutes; 0 when not planned. */
  minutes: number;
  status: AgendaStatus;
  statusLabel: string;
  notes: Block[];
  decision: Block[];
}

export type PollOutcomeCode = 'passed' | 'failed' | 'quorum-not-met' | 'elected' | 'tie' | 'counted' | 'ranked' | 'not-closed';

export interface MinutesPollRow {
  label: string;
  /** Votes, or the Borda score of a ranking. */
  value: number;
  /** Place in a ranking (1-based), whether elected or tied in an election. */
  rank?: number;
  mark?: 'elected' | 'tie';
}

export interface MinutesPoll {
  index: number;
  id: string;
  title: string;
  kind: PollKind;
  kindLabel: string;
  secret: boolean;
  /** 不記名 / 記名. */
  ballotLabel: string;
  /** The rule in words (pass rule, seats, counting method). */
  rule: string;
  /** The quorum in words, or null when none applies. */
  quorum: string | null;
  /** Who may vote, when limited to some affiliations. */
  electorate: string | null;
  agendaItemTitle: string | null;
  closed: boolean;
  turnout: { voted: number; eligible: number };
  /** Header of the value column: 票數 or 得分. */
  valueLabel: string;
  rows: MinutesPollRow[];
  outcome: { code: PollOutcomeCode; text: string };
  /** Named polls only, never a secret one: who chose what, in words. */
  votes: { name: string; choice: string }[];
  /** Owners' polls, once closed: the double count (by area and by heads) as a table of words. */
  double?: { notice: string; header: string[]; rows: string[][] };
}

export interface MinutesFollowUp {
  title: string;
  affiliation: Affiliation;
  /** Affiliation label, plus the person's name when one was named. */
  owner: string;
  ownerName: string | null;
  dueDate: string | null;
  status: FollowUpStatus;
  statusLabel: string;
  overdue: boolean;
  /** The latest progress note with its date (YYYY-MM-DD, China time). */
  latestNote: { date: string; body: string } | null;
  /** The meeting it came from, for carried-over ones. */
  origin: string | null;
}

/** The minutes of one meeting as plain JSON: what Markdown, DOCX and the print page render. */
export interface Minutes {
  locale: Locale;
  meetingId: string;
  /** The document's name, e.g. 會議紀要. */
  heading: string;
  title: string;
  kind: MeetingKind;
  kindLabel: string;
  /** YYYY-MM-DD in China time (for file names). */
  isoDate: string;
  /** The date in words, e.g. 2025年11月20日（星期四）. */
  date: string;
  /** HH:mm in China time, or null when only the day is known. */
  time: string | null;
  place: string | null;
  community: string;
  hosts: string[];
  secretaries: string[];
  attendance: Attendance;
  items: MinutesItem[];
  polls: MinutesPoll[];
  /** Empty when the meeting drew no lots (the section is then left out). */
  draws: MinutesDraw[];
  /** The charter deliberated clause by clause, or null (the section is then left out). */
  charter: MinutesCharter | null;
  followUps: { carriedOver: MinutesFollowUp[]; created: MinutesFollowUp[] };
  /** Closing summary paragraphs (empty when none was written). */
  summary: string[];
  /** Whether the minutes are final (定稿), the state in words, and each reopening in words. */
  record: { final: boolean; status: string; reopenings: string[] };
  /** Lines of the signature block: 主持人簽字, 記錄人簽字, 日期. */
  signatures: string[];
}
