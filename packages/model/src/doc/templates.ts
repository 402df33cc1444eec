import type { MeetingKind } from '../enums.ts';

/** One pre-filled agenda item: title, who usually presents, planned minutes. */
export interface AgendaTemplateItem {
  title: string;
  presenter: string;
  minutes: number;
}

/**
 * The agenda a new meeting starts with, per kind (see shared/DOMAIN.md). Titles are in
 * Simplified Chinese, the working language of the communities we serve; everything is editable.
 */
export const AGENDA_TEMPLATES: Record<MeetingKind, readonly AgendaTemplateItem[]> = {
  'building-talk': [
    { title: '上次事项推进', presenter: '社区书记', minutes: 10 },
    { title: '各楼栋反映问题', presenter: '各楼长', minutes: 40 },
    { title: '议定事项', presenter: '主持人', minutes: 15 },
    { title: '其他', presenter: '', minutes: 5 },
  ],
  salon: [
    { title: '破冰', presenter: '社工', minutes: 10 },
    { title: '各方分享', presenter: '党组织、业委会、物业、居民代表', minutes: 40 },
    { title: '督导点评', presenter: '社工督导', minutes: 15 },
    { title: '领导寄语', presenter: '街道领导', minutes: 10 },
  ],
  joint: [
    { title: '上月督办事项回顾', presenter: '社区书记', minutes: 15 },
    { title: '各方通报', presenter: '党组织、业委会、物业、居民代表', minutes: 20 },
    { title: '议题协商', presenter: '主持人', minutes: 30 },
    { title: '表决与分工', presenter: '主持人', minutes: 15 },
    { title: '其他', presenter: '', minutes: 5 },
  ],
  'weekly-office': [
    { title: '上周事项进展', presenter: '物业经理', minutes: 15 },
    { title: '本周居民集中反映问题', presenter: '网格长', minutes: 25 },
    { title: '议定事项与分工', presenter: '社区书记', minutes: 15 },
    { title: '公示内容确认', presenter: '记录员', minutes: 5 },
  ],
  general: [
    { title: '开场', presenter: '主持人', minutes: 5 },
    { title: '议题讨论', presenter: '', minutes: 30 },
    { title: '议定事项', presenter: '主持人', minutes: 10 },
  ],
};
