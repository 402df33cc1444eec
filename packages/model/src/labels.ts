import type { Affiliation, MeetingKind, MeetingRole } from './enums.ts';
import type { FollowUpStatus } from './followups.ts';
import type { Locale } from './locale.ts';

/**
 * Names of domain values for documents the server writes (minutes, CSV). The web UI has its own
 * Paraglide messages; these are for exports that leave the app.
 */
export const LABELS: Record<
  Locale,
  {
    kind: Record<MeetingKind, string>;
    affiliation: Record<Affiliation, string>;
    role: Record<MeetingRole, string>;
    followUpStatus: Record<FollowUpStatus, string>;
  }
> = {
  'zh-CN': {
    kind: { 'building-talk': '楼长有话说', salon: '党建沙龙', joint: '四位一体联席会', 'weekly-office': '每周合署办公', general: '其他会议' },
    affiliation: { party: '党组织', committee: '业委会', property: '物业', resident: '居民/楼长', 'social-work': '社工', other: '其他' },
    role: { host: '主持人', secretary: '记录员', participant: '参会者', observer: '旁听' },
    followUpStatus: { open: '待办', 'in-progress': '推进中', done: '已完成', dropped: '已撤销' },
  },
  'zh-TW': {
    kind: { 'building-talk': '樓長有話說', salon: '黨建沙龍', joint: '四位一體聯席會', 'weekly-office': '每周合署辦公', general: '其他會議' },
    affiliation: { party: '黨組織', committee: '業委會', property: '物業', resident: '居民/樓長', 'social-work': '社工', other: '其他' },
    role: { host: '主持人', secretary: '記錄員', participant: '參會者', observer: '旁聽' },
    followUpStatus: { open: '待辦', 'in-progress': '推進中', done: '已完成', dropped: '已撤銷' },
  },
  en: {
    kind: { 'building-talk': 'Building leaders talk', salon: 'Party-building salon', joint: 'Four-party joint meeting', 'weekly-office': 'Weekly joint office', general: 'Meeting' },
    affiliation: { party: 'Party organisation', committee: "Owners' committee", property: 'Property company', resident: 'Residents / building leaders', 'social-work': 'Social work', other: 'Other' },
    role: { host: 'Host', secretary: 'Secretary', participant: 'Participant', observer: 'Observer' },
    followUpStatus: { open: 'Open', 'in-progress': 'In progress', done: 'Done', dropped: 'Dropped' },
  },
};
