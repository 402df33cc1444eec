import type { Affiliation, MeetingKind, MeetingRole, MeetingStatus } from '@yishi/model';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

const KIND: Record<MeetingKind, () => string> = {
  'building-talk': m.kind_building_talk,
  salon: m.kind_salon,
  joint: m.kind_joint,
  'weekly-office': m.kind_weekly_office,
  general: m.kind_general,
};

const STATUS: Record<MeetingStatus, () => string> = {
  planned: m.status_planned,
  live: m.status_live,
  closed: m.status_closed,
  final: m.status_final,
};

const ROLE: Record<MeetingRole, () => string> = {
  host: m.role_host,
  secretary: m.role_secretary,
  participant: m.role_participant,
  observer: m.role_observer,
};

const AFFILIATION: Record<Affiliation, () => string> = {
  party: m.aff_party,
  committee: m.aff_committee,
  property: m.aff_property,
  resident: m.aff_resident,
  'social-work': m.aff_social_work,
  other: m.aff_other,
};

/** The name of a kind of meeting in the current language. */
export const kindLabel = (kind: MeetingKind): string => KIND[kind]();
/** The name of a meeting status in the current language. */
export const statusLabel = (status: MeetingStatus): string => STATUS[status]();
/** The name of a meeting role in the current language. */
export const roleLabel = (role: MeetingRole): string => ROLE[role]();
/** The name of an affiliation in the current language. */
export const affiliationLabel = (affiliation: Affiliation): string => AFFILIATION[affiliation]();

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
