import type { MeetingKind } from '../enums.ts';
import { BASE_LOCALE, type Locale } from '../locale.ts';

/** One pre-filled agenda item: title, who usually presents, planned minutes. */
export interface AgendaTemplateItem {
  title: string;
  presenter: string;
  minutes: number;
}

type Templates = Record<MeetingKind, readonly AgendaTemplateItem[]>;

/** The same five agendas in each language; minutes are shared, so only the words differ. */
const MINUTES: Record<MeetingKind, readonly number[]> = {
  'building-talk': [10, 40, 15, 5],
  salon: [10, 40, 15, 10],
  joint: [15, 20, 30, 15, 5],
  'weekly-office': [15, 25, 15, 5],
  general: [5, 30, 10],
};

const WORDS: Record<Locale, Record<MeetingKind, readonly (readonly [title: string, presenter: string])[]>> = {
  'zh-CN': {
    'building-talk': [['上次事项推进', '社区书记'], ['各楼栋反映问题', '各楼长'], ['议定事项', '主持人'], ['其他', '']],
    salon: [['破冰', '社工'], ['各方分享', '党组织、业委会、物业、居民代表'], ['督导点评', '社工督导'], ['领导寄语', '街道领导']],
    joint: [
      ['上月督办事项回顾', '社区书记'],
      ['各方通报', '党组织、业委会、物业、居民代表'],
      ['议题协商', '主持人'],
      ['表决与分工', '主持人'],
      ['其他', ''],
    ],
    'weekly-office': [['上周事项进展', '物业经理'], ['本周居民集中反映问题', '网格长'], ['议定事项与分工', '社区书记'], ['公示内容确认', '记录员']],
    general: [['开场', '主持人'], ['议题讨论', ''], ['议定事项', '主持人']],
  },
  'zh-TW': {
    'building-talk': [['上次事項推進', '社區書記'], ['各樓棟反映問題', '各樓長'], ['議定事項', '主持人'], ['其他', '']],
    salon: [['破冰', '社工'], ['各方分享', '黨組織、業委會、物業、居民代表'], ['督導點評', '社工督導'], ['領導寄語', '街道領導']],
    joint: [
      ['上月督辦事項回顧', '社區書記'],
      ['各方通報', '黨組織、業委會、物業、居民代表'],
      ['議題協商', '主持人'],
      ['表決與分工', '主持人'],
      ['其他', ''],
    ],
    'weekly-office': [['上週事項進展', '物業經理'], ['本週居民集中反映問題', '網格長'], ['議定事項與分工', '社區書記'], ['公示內容確認', '記錄員']],
    general: [['開場', '主持人'], ['議題討論', ''], ['議定事項', '主持人']],
  },
  en: {
    'building-talk': [
      ['Progress on last time’s matters', 'Community party secretary'],
      ['Issues raised by each building', 'Building leaders'],
      ['Decisions', 'Facilitator'],
      ['Other business', ''],
    ],
    salon: [
      ['Ice-breaker', 'Social worker'],
      ['What each side has to share', 'Party, owners’ committee, property company, residents'],
      ['Supervisor’s comments', 'Social work supervisor'],
      ['Closing words', 'Street office leader'],
    ],
    joint: [
      ['Review of last month’s supervised matters', 'Community party secretary'],
      ['Reports from each side', 'Party, owners’ committee, property company, residents'],
      ['Deliberation', 'Facilitator'],
      ['Votes and who does what', 'Facilitator'],
      ['Other business', ''],
    ],
    'weekly-office': [
      ['Progress since last week', 'Property manager'],
      ['What residents raised most this week', 'Grid leader'],
      ['Decisions and who does what', 'Community party secretary'],
      ['What goes on the public board', 'Secretary'],
    ],
    general: [['Opening', 'Facilitator'], ['Discussion', ''], ['Decisions', 'Facilitator']],
  },
};

function templates(locale: Locale): Templates {
  const words = WORDS[locale];
  return Object.fromEntries(
    (Object.keys(MINUTES) as MeetingKind[]).map((kind) => [
      kind,
      words[kind].map(([title, presenter], i) => ({ title, presenter, minutes: MINUTES[kind][i]! })),
    ]),
  ) as unknown as Templates;
}

/**
 * The agenda a new meeting starts with, per language and kind (see shared/DOMAIN.md): the
 * creator's language, Simplified Chinese by default; everything is editable.
 */
export const AGENDA_TEMPLATES_BY_LOCALE: Record<Locale, Templates> = {
  'zh-CN': templates('zh-CN'),
  'zh-TW': templates('zh-TW'),
  en: templates('en'),
};

/** The Simplified Chinese agendas (a document seeded without a known language). */
export const AGENDA_TEMPLATES: Templates = AGENDA_TEMPLATES_BY_LOCALE[BASE_LOCALE];
