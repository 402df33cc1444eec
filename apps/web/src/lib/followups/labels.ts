import { FOLLOW_UP_STATUSES, type FollowUpStatus } from '@yishi/model';
import { getLocale } from '$lib/paraglide/runtime.js';
import { terms } from '$lib/labels';

/** The name of a follow-up status in the current language. */
export const followUpStatusLabel = (status: FollowUpStatus): string => terms().followUpStatus[status];

/** Every status as select options, in workflow order. */
export const statusOptions = (): { value: FollowUpStatus; label: string }[] =>
  FOLLOW_UP_STATUSES.map((value) => ({ value, label: followUpStatusLabel(value) }));

/** A YYYY-MM-DD due date as people in the current language write it (the day itself, no time zone shift). */
export function formatDay(day: string): string {
  const [y, mo, d] = day.split('-').map(Number);
  if (!y || !mo || !d) return day;
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, mo - 1, d)),
  );
}

/** An instant as a short date in the communities' clock (China time). */
export function formatInstantDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(getLocale(), {
    dateStyle: 'medium',
    timeZone: 'Asia/Shanghai',
  }).format(date);
}
