import { z } from 'zod';
import { LOCALES } from '@yishi/model';

/** Longest closing summary the secretary may write. */
export const SUMMARY_MAX = 20_000;

/** PUT /api/meetings/:id/summary — null or blank clears it. */
export const summaryBody = z.object({ summary: z.string().max(SUMMARY_MAX).nullable() });
export type SummaryBody = z.infer<typeof summaryBody>;

/** Query of the minutes routes: an explicit language of the document, else the reader's. */
export const minutesQuery = z.object({ locale: z.enum(LOCALES).optional() });
