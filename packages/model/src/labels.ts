import type { Affiliation, MeetingKind, MeetingRole, MeetingStatus } from './enums.ts';
import type { FollowUpStatus } from './followups.ts';
import type { Locale } from './locale.ts';
import type { PollKind } from './polls.ts';

/** The names of the domain's values in one language. */
export interface Terms {
  kind: Record<MeetingKind, string>;
  status: Record<MeetingStatus, string>;
  affiliation: Record<Affiliation, string>;
  role: Record<MeetingRole, string>;
  followUpStatus: Record<FollowUpStatus, string>;
  pollKind: Record<PollKind, string>;
}

/**
 * The one place each domain term is named, per language: the web UI (apps/web/src/lib/labels.ts),
 * the minutes, the CSV exports and the public board all read these, so a meeting kind or a role
 * has one name everywhere.
 */
export const LABELS: Record<Locale, Terms> = {
  'zh-CN': {
    kind: { 'building-talk': '楼长有话说', salon: '党建沙龙', joint: '四位一体联席会', 'weekly-office': '每周合署办公', general: '其他会议' },
    status: { planned: '未开始', live: '进行中', closed: '已结束', final: '已定稿' },
    affiliation: { party: '党组织', committee: '业委会', property: '物业', resident: '居民/楼长', 'social-work': '社工', other: '其他' },
    role: { host: '主持人', secretary: '记录员', participant: '参会者', observer: '旁听' },
    followUpStatus: { open: '待办', 'in-progress': '推进中', done: '已完成', dropped: '已撤销' },
    pollKind: { motion: '议案表决', election: '选举', choice: '单项选择', ranking: '排序', owners: '业主表决（面积和人数）' },
  },
  'zh-TW': {
    kind: { 'building-talk': '樓長有話說', salon: '黨建沙龍', joint: '四位一體聯席會', 'weekly-office': '每周合署辦公', general: '其他會議' },
    status: { planned: '未開始', live: '進行中', closed: '已結束', final: '已定稿' },
    affiliation: { party: '黨組織', committee: '業委會', property: '物業', resident: '居民/樓長', 'social-work': '社工', other: '其他' },
    role: { host: '主持人', secretary: '記錄員', participant: '參會者', observer: '旁聽' },
    followUpStatus: { open: '待辦', 'in-progress': '推進中', done: '已完成', dropped: '已撤銷' },
    pollKind: { motion: '議案表決', election: '選舉', choice: '單項選擇', ranking: '排序', owners: '業主表決（面積和人數）' },
  },
  en: {
    kind: { 'building-talk': 'Building leaders speak', salon: 'Party-building salon', joint: 'Four-party joint meeting', 'weekly-office': 'Weekly joint office', general: 'Other meeting' },
    status: { planned: 'Planned', live: 'In progress', closed: 'Ended', final: 'Minutes final' },
    affiliation: { party: 'Party organisation', committee: "Owners' committee", property: 'Property management', resident: 'Resident / building leader', 'social-work': 'Social worker', other: 'Other' },
    role: { host: 'Host', secretary: 'Secretary', participant: 'Participant', observer: 'Observer' },
    followUpStatus: { open: 'Open', 'in-progress': 'In progress', done: 'Done', dropped: 'Dropped' },
    pollKind: { motion: 'Motion', election: 'Election', choice: 'Single choice', ranking: 'Ranking', owners: "Owners' poll (area and heads)" },
  },
};
