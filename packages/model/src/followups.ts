import { z } from 'zod';
import { AFFILIATIONS, type Affiliation } from './enums.ts';

/** Status of a follow-up (督辦事項). */
export const FOLLOW_UP_STATUSES = ['open', 'in-progress', 'done', 'dropped'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** Statuses that still need work, reviewed at the next meeting (上次事項推進). */
export function isOpenFollowUp(status: FollowUpStatus): boolean {
  return status === 'open' || status === 'in-progress';
}

const isoDate = z.iso.date();

export const createFollowUpBody = z.object({
  title: z.string().trim().min(1).max(500),
  ownerAffiliation: z.enum(AFFILIATIONS),
  ownerUserId: z.string().max(64).optional().nullable(),
  ownerName: z.string().trim().max(64).optional().nullable(),
  dueDate: isoDate.optional().nullable(),
  agendaItemId: z.string().max(64).optional().nullable(),
});
export type CreateFollowUpBody = z.infer<typeof createFollowUpBody>;

export const updateFollowUpBody = z
  .object({
    title: z.string().trim().min(1).max(500).optional(),
    ownerAffiliation: z.enum(AFFILIATIONS).optional(),
    ownerUserId: z.string().max(64).optional().nullable(),
    ownerName: z.string().trim().max(64).optional().nullable(),
    dueDate: isoDate.optional().nullable(),
    status: z.enum(FOLLOW_UP_STATUSES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0);
export type UpdateFollowUpBody = z.infer<typeof updateFollowUpBody>;

export const followUpNoteBody = z.object({
  body: z.string().trim().min(1).max(4000),
  status: z.enum(FOLLOW_UP_STATUSES).optional(),
});
export type FollowUpNoteBody = z.infer<typeof followUpNoteBody>;

export interface FollowUpNoteDto {
  id: string;
  body: string;
  status: FollowUpStatus | null;
  /** Omitted on the public board. */
  authorName?: string;
  authorAffiliation: Affiliation | null;
  createdAt: string;
}

export interface FollowUpDto {
  id: string;
  communityId: string;
  meetingId: string | null;
  meetingTitle: string | null;
  agendaItemId: string | null;
  title: string;
  ownerAffiliation: Affiliation;
  ownerUserId: string | null;
  /** Omitted on the public board. */
  ownerName?: string | null;
  dueDate: string | null;
  status: FollowUpStatus;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
  notes: FollowUpNoteDto[];
}

/** True when a follow-up still open is past its due date (dates as YYYY-MM-DD, compared in the community's day). */
export function isOverdue(dueDate: string | null, status: FollowUpStatus, today: string): boolean {
  return dueDate !== null && isOpenFollowUp(status) && dueDate < today;
}

/** Cells a spreadsheet would run as a formula are prefixed with an apostrophe. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
