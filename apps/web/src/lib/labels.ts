import { LABELS, type Affiliation, type Locale, type MeetingKind, type MeetingRole, type MeetingStatus, type Terms } from '@yishi/model';
import { getLocale } from '$lib/paraglide/runtime.js';

/** The domain's terms in the current language: one place for each (model/labels.ts), shared with the minutes. */
export const terms = (): Terms => LABELS[getLocale() as Locale];

/** The name of a kind of meeting in the current language. */
export const kindLabel = (kind: MeetingKind): string => terms().kind[kind];
/** The name of a meeting status in the current language. */
export const statusLabel = (status: MeetingStatus): string => terms().status[status];
/** The name of a meeting role in the current language. */
export const roleLabel = (role: MeetingRole): string => terms().role[role];
/** The name of an affiliation in the current language. */
export const affiliationLabel = (affiliation: Affiliation): string => terms().affiliation[affiliation];

/** A date and time as people in the current language write it, e.g. 2025年3月14日 19:30. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    date,
  );
}

/** A `<input type="datetime-local">` value (local wall time) as an ISO instant, or null if empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
