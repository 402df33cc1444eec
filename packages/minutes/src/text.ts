import type { AgendaStatus, Locale, MotionRule } from '@yishi/model';

/** Words of the minutes document in one locale: headings, field names, rules and outcomes. */
export interface MinutesText {
  heading: string;
  fields: {
    kind: string;
    date: string;
    place: string;
    community: string;
    host: string;
    secretary: string;
    presenter: string;
    planned: string;
    status: string;
    rule: string;
    quorum: string;
    electorate: string;
    turnout: string;
    outcome: string;
    agendaItem: string;
    ballot: string;
  };
  sections: { attendance: string; agenda: string; polls: string; draws: string; followUps: string; carriedOver: string; summary: string; signatures: string };
  draw: { entries: string; winners: string; source: string; seed: string; key: string; method: string; methodText: string; result: string; pending: string; verify: string };
  /** The minutes' own state: final (定稿) with its time, or a draft; reopenings with their reasons. */
  record: { field: string; final: (when: string) => string; draft: string; reopenedField: string; reopened: (when: string, name: string, reason: string) => string };
  attendance: { group: string; count: string; names: string; total: (n: number) => string; observers: string };
  item: { notes: string; decision: string; minutes: (n: number) => string };
  agendaStatus: Record<AgendaStatus, string>;
  poll: {
    secret: string;
    named: string;
    option: string;
    votes: string;
    score: string;
    rank: string;
    rule: Record<MotionRule, string>;
    seats: (n: number) => string;
    choice: string;
    ranking: string;
    quorum: (percent: string) => string;
    turnout: (voted: number, eligible: number) => string;
    passed: string;
    failed: string;
    quorumNotMet: string;
    elected: (names: string) => string;
    noneElected: string;
    tie: (names: string) => string;
    /** Options of a ranking with equal scores. */
    rankTie: (names: string) => string;
    top: (names: string) => string;
    order: (names: string) => string;
    notClosed: string;
    electedMark: string;
    tieMark: string;
    namedVotes: string;
    motionChoice: Record<'yes' | 'no' | 'abstain', string>;
    owners: {
      /** 摸底表決（非業主大會決議）: what this count is not. */
      notice: string;
      matter: Record<'ordinary' | 'major', string>;
      area: string;
      heads: string;
      participating: string;
      /** "419.50 / 609.50 m²（68.83%）" */
      share: (part: string, whole: string, percent: string) => string;
      /** "299.25 m²（71.33%）" */
      part: (value: string, percent: string) => string;
      participationMet: string;
      participationNotMet: string;
      paper: (n: number) => string;
    };
  };
  followUp: { title: string; owner: string; due: string; status: string; progress: string; origin: string; overdue: string; none: string };
  signatures: string[];
  none: string;
  list: string;
  weekday: string[];
  date: (y: number, m: number, d: number, weekday: string) => string;
}

const ZH_WEEKDAYS_CN = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

const zhCN: MinutesText = {
  heading: '会议纪要',
  fields: {
    kind: '会议类型',
    date: '时间',
    place: '地点',
    community: '社区',
    host: '主持人',
    secretary: '记录人',
    presenter: '汇报人',
    planned: '计划时长',
    status: '状态',
    rule: '规则',
    quorum: '法定人数',
    electorate: '投票资格',
    turnout: '投票情况',
    outcome: '结果',
    agendaItem: '所属议程',
    ballot: '投票方式',
  },
  draw: { entries: '名单（按编号）', winners: '抽出数量', source: '随机数来源', seed: '随机数', key: '种子字符串', method: '方法', methodText: 'RFC 3797：对种子字符串做 MD5，按编号不放回地依次抽出', result: '结果（按抽出顺序）', pending: '尚未公布随机数', verify: '公开核验' },
  sections: { attendance: '出席情况', agenda: '会议议程', polls: '表决结果', draws: '抽签', followUps: '督办事项', carriedOver: '上次事项推进', summary: '会议小结', signatures: '签字' },
  record: { field: '纪要状态', final: (when) => `定稿（${when}）`, draft: '草稿，尚未定稿', reopenedField: '重新打开', reopened: (when, name, reason) => `${when}，${name}：${reason}` },
  attendance: { group: '类别', count: '人数', names: '名单', total: (n) => `共 ${n} 人出席`, observers: '列席/旁听' },
  item: { notes: '讨论记录', decision: '议定事项', minutes: (n) => `${n} 分钟` },
  agendaStatus: { pending: '未讨论', discussing: '讨论中', done: '已完成' },
  poll: {
    secret: '不记名投票',
    named: '记名投票',
    option: '选项',
    votes: '票数',
    score: '得分',
    rank: '名次',
    rule: {
      majority: '赞成票多于反对票即通过',
      'two-thirds-cast': '赞成票达到投票总数（含弃权）的三分之二即通过',
      'two-thirds-eligible': '赞成票达到有表决权人数的三分之二即通过',
    },
    seats: (n) => `应选 ${n} 名，得票最多者当选（须至少得 1 票），并列不抽签`,
    choice: '每人选择一项，统计各选项票数',
    ranking: '每人给选项排先后，排第一得分最高、依次少一分，按总分排序（波达计分法）',
    quorum: (p) => `投票人数须达到有表决权人数的 ${p}`,
    turnout: (v, e) => `应投 ${e} 人，实投 ${v} 人`,
    passed: '通过',
    failed: '未通过',
    quorumNotMet: '投票人数未达法定人数，结果不成立',
    elected: (names) => `当选：${names}`,
    noneElected: '无人当选',
    tie: (names) => `得票并列、名额待定：${names}`,
    rankTie: (names) => `同分并列，不分先后：${names}`,
    top: (names) => `得票最多：${names}`,
    order: (names) => `排序结果：${names}`,
    notClosed: '表决尚未结束',
    electedMark: '当选',
    tieMark: '并列',
    namedVotes: '记名投票明细',
    motionChoice: { yes: '赞成', no: '反对', abstain: '弃权' },
    owners: {
      notice: '摸底表决（非业主大会决议）',
      matter: {
        ordinary: '一般事项：参与表决的专有部分面积过半数且参与表决人数过半数同意（《民法典》第二百七十八条）',
        major: '重大事项：参与表决的专有部分面积四分之三以上且参与表决人数四分之三以上同意（《民法典》第二百七十八条第一款第六至八项）',
      },
      area: '专有部分面积（m²）',
      heads: '人数',
      participating: '参与表决',
      share: (part, whole, percent) => `${part} / ${whole}（${percent}%）`,
      part: (value, percent) => `${value}（${percent}%）`,
      participationMet: '参与表决的面积和人数均达到三分之二以上',
      participationNotMet: '参与表决的面积或人数未达到三分之二，不能形成决定',
      paper: (n) => `其中纸质票 ${n} 张`,
    },
  },
  followUp: { title: '事项', owner: '责任方', due: '期限', status: '状态', progress: '最新进展', origin: '来源会议', overdue: '已逾期', none: '无' },
  signatures: ['主持人签字', '记录人签字', '日期'],
  none: '无',
  list: '、',
  weekday: ZH_WEEKDAYS_CN,
  date: (y, m, d, w) => `${y}年${m}月${d}日（${w}）`,
};

const zhTW: MinutesText = {
  heading: '會議紀要',
  fields: {
    kind: '會議類型',
    date: '時間',
    place: '地點',
    community: '社區',
    host: '主持人',
    secretary: '記錄人',
    presenter: '報告人',
    planned: '預計時長',
    status: '狀態',
    rule: '規則',
    quorum: '法定人數',
    electorate: '投票資格',
    turnout: '投票情況',
    outcome: '結果',
    agendaItem: '所屬議程',
    ballot: '投票方式',
  },
  draw: { entries: '名單（按編號）', winners: '抽出數量', source: '隨機數來源', seed: '隨機數', key: '種子字串', method: '方法', methodText: 'RFC 3797：對種子字串做 MD5，按編號不放回地依次抽出', result: '結果（按抽出順序）', pending: '尚未公布隨機數', verify: '公開核驗' },
  sections: { attendance: '出席情況', agenda: '會議議程', polls: '表決結果', draws: '抽籤', followUps: '督辦事項', carriedOver: '上次事項推進', summary: '會議小結', signatures: '簽字' },
  record: { field: '紀要狀態', final: (when) => `定稿（${when}）`, draft: '草稿，尚未定稿', reopenedField: '重新打開', reopened: (when, name, reason) => `${when}，${name}：${reason}` },
  attendance: { group: '類別', count: '人數', names: '名單', total: (n) => `共 ${n} 人出席`, observers: '列席/旁聽' },
  item: { notes: '討論記錄', decision: '議定事項', minutes: (n) => `${n} 分鐘` },
  agendaStatus: { pending: '未討論', discussing: '討論中', done: '已完成' },
  poll: {
    secret: '不記名投票',
    named: '記名投票',
    option: '選項',
    votes: '票數',
    score: '得分',
    rank: '名次',
    rule: {
      majority: '贊成票多於反對票即通過',
      'two-thirds-cast': '贊成票達到投票總數（含棄權）的三分之二即通過',
      'two-thirds-eligible': '贊成票達到有表決權人數的三分之二即通過',
    },
    seats: (n) => `應選 ${n} 名，得票最多者當選（須至少得 1 票），並列不抽籤`,
    choice: '每人選擇一項，統計各選項票數',
    ranking: '每人給選項排先後，排第一得分最高、依次少一分，按總分排序（波達計分法）',
    quorum: (p) => `投票人數須達到有表決權人數的 ${p}`,
    turnout: (v, e) => `應投 ${e} 人，實投 ${v} 人`,
    passed: '通過',
    failed: '未通過',
    quorumNotMet: '投票人數未達法定人數，結果不成立',
    elected: (names) => `當選：${names}`,
    noneElected: '無人當選',
    tie: (names) => `得票並列、名額待定：${names}`,
    rankTie: (names) => `同分並列，不分先後：${names}`,
    top: (names) => `得票最多：${names}`,
    order: (names) => `排序結果：${names}`,
    notClosed: '表決尚未結束',
    electedMark: '當選',
    tieMark: '並列',
    namedVotes: '記名投票明細',
    motionChoice: { yes: '贊成', no: '反對', abstain: '棄權' },
    owners: {
      notice: '摸底表決（非業主大會決議）',
      matter: {
        ordinary: '一般事項：參與表決的專有部分面積過半數且參與表決人數過半數同意（《民法典》第二百七十八條）',
        major: '重大事項：參與表決的專有部分面積四分之三以上且參與表決人數四分之三以上同意（《民法典》第二百七十八條第一款第六至八項）',
      },
      area: '專有部分面積（m²）',
      heads: '人數',
      participating: '參與表決',
      share: (part, whole, percent) => `${part} / ${whole}（${percent}%）`,
      part: (value, percent) => `${value}（${percent}%）`,
      participationMet: '參與表決的面積和人數均達到三分之二以上',
      participationNotMet: '參與表決的面積或人數未達到三分之二，不能形成決定',
      paper: (n) => `其中紙本票 ${n} 張`,
    },
  },
  followUp: { title: '事項', owner: '責任方', due: '期限', status: '狀態', progress: '最新進展', origin: '來源會議', overdue: '已逾期', none: '無' },
  signatures: ['主持人簽字', '記錄人簽字', '日期'],
  none: '無',
  list: '、',
  weekday: ZH_WEEKDAYS_CN,
  date: (y, m, d, w) => `${y}年${m}月${d}日（${w}）`,
};

const en: MinutesText = {
  heading: 'Minutes',
  fields: {
    kind: 'Kind',
    date: 'Date',
    place: 'Place',
    community: 'Community',
    host: 'Host',
    secretary: 'Secretary',
    presenter: 'Presenter',
    planned: 'Planned',
    status: 'Status',
    rule: 'Rule',
    quorum: 'Quorum',
    electorate: 'Who may vote',
    turnout: 'Turnout',
    outcome: 'Outcome',
    agendaItem: 'Agenda item',
    ballot: 'Ballot',
  },
  draw: { entries: 'Entries (by number)', winners: 'Number drawn', source: 'Random source', seed: 'Random values', key: 'Key string', method: 'Method', methodText: 'RFC 3797: MD5 of the key string, drawn in order without replacement', result: 'Result (in the order drawn)', pending: 'Random values not published yet', verify: 'Public verification' },
  sections: { attendance: 'Attendance', agenda: 'Agenda', polls: 'Votes', draws: 'Draws by lot', followUps: 'Follow-ups', carriedOver: 'Follow-ups from earlier meetings', summary: 'Summary', signatures: 'Signatures' },
  record: { field: 'Minutes', final: (when) => `Final (${when})`, draft: 'Draft, not final yet', reopenedField: 'Reopened', reopened: (when, name, reason) => `${when}, ${name}: ${reason}` },
  attendance: { group: 'Group', count: 'Present', names: 'Names', total: (n) => `${n} present`, observers: 'Observers' },
  item: { notes: 'Notes', decision: 'Decision', minutes: (n) => `${n} min` },
  agendaStatus: { pending: 'Not discussed', discussing: 'In discussion', done: 'Done' },
  poll: {
    secret: 'Secret ballot',
    named: 'Roll call',
    option: 'Option',
    votes: 'Votes',
    score: 'Score',
    rank: 'Place',
    rule: {
      majority: 'Passes with more yes than no',
      'two-thirds-cast': 'Passes with yes from two thirds of votes cast (abstentions included)',
      'two-thirds-eligible': 'Passes with yes from two thirds of those eligible',
    },
    seats: (n) => `${n} seat(s); most votes win (at least 1 vote); ties are not drawn`,
    choice: 'One option each; votes per option',
    ranking: 'Each puts the options in order; first place scores most, each place one point less; ordered by total (Borda count)',
    quorum: (p) => `At least ${p} of those eligible must vote`,
    turnout: (v, e) => `${v} of ${e} eligible voted`,
    passed: 'Passed',
    failed: 'Not passed',
    quorumNotMet: 'Quorum not met; the result does not stand',
    elected: (names) => `Elected: ${names}`,
    noneElected: 'No one elected',
    tie: (names) => `Tied for the remaining seats: ${names}`,
    rankTie: (names) => `Tied, in no order: ${names}`,
    top: (names) => `Most votes: ${names}`,
    order: (names) => `Order: ${names}`,
    notClosed: 'Voting has not ended',
    electedMark: 'elected',
    tieMark: 'tie',
    namedVotes: 'Roll call',
    motionChoice: { yes: 'Yes', no: 'No', abstain: 'Abstain' },
    owners: {
      notice: "Straw poll (not a decision of the owners' assembly)",
      matter: {
        ordinary: 'Ordinary matter: more than half of the participating floor area and more than half of the participating owners in favour (Civil Code art. 278)',
        major: 'Major matter: at least three quarters of the participating floor area and of the participating owners in favour (Civil Code art. 278, items 6–8)',
      },
      area: 'Floor area (m²)',
      heads: 'Owners',
      participating: 'Took part',
      share: (part, whole, percent) => `${part} / ${whole} (${percent}%)`,
      part: (value, percent) => `${value} (${percent}%)`,
      participationMet: 'At least two thirds of the floor area and of the owners took part',
      participationNotMet: 'Less than two thirds of the floor area or of the owners took part: no decision',
      paper: (n) => `${n} of them on paper`,
    },
  },
  followUp: { title: 'What', owner: 'Who', due: 'Due', status: 'Status', progress: 'Latest progress', origin: 'From meeting', overdue: 'overdue', none: 'None' },
  signatures: ['Host signature', 'Secretary signature', 'Date'],
  none: 'None',
  list: ', ',
  weekday: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  date: (y, m, d, w) => `${w}, ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
};

/** The words of the minutes in each locale. */
export const MINUTES_TEXT: Record<Locale, MinutesText> = { 'zh-CN': zhCN, 'zh-TW': zhTW, en };

/** Chinese section numerals for headings (一、二、…). */
export const SECTION_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** A section heading with its numeral: 一、出席情况 (zh) or 1. Attendance (en). */
export function sectionHeading(locale: Locale, index: number, title: string): string {
  return locale === 'en' ? `${index + 1}. ${title}` : `${SECTION_NUMERALS[index] ?? index + 1}、${title}`;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** A label and its colon in the label's own script: 「出席：」 in Chinese, "Present: " in English. */
export function withColon(label: string): string {
  return CJK.test(label) ? `${label}：` : `${label}: `;
}

/** A note in brackets fit for its script: 「（当选）」 in Chinese, " (elected)" in English. */
export function paren(note: string): string {
  return CJK.test(note) ? `（${note}）` : ` (${note})`;
}
