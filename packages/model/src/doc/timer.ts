import { z } from 'zod';
import { findItem } from './agenda.ts';
import { metaOf } from './schema.ts';
import type * as Y from 'yjs';

/**
 * The time box of the item in focus, in `meta.timer`. Stored as a duration plus the wall-clock
 * start of the running stretch, so every client computes the same countdown from its own clock:
 * remaining = remainingMs − (now − startedAt) while running, remainingMs while paused.
 */
export const itemTimer = z.object({
  itemId: z.string().min(1).max(64),
  /** The time box as planned plus extensions (ms). */
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600_000),
  /** Epoch ms when the current running stretch began; null while paused. */
  startedAt: z.number().int().min(0).nullable(),
  /** What was left when the current stretch began (or when paused). May go negative (overtime). */
  remainingMs: z
    .number()
    .int()
    .min(-24 * 3600_000)
    .max(24 * 3600_000),
});
export type ItemTimer = z.infer<typeof itemTimer>;

/** Longest extension in one step, and the largest time box. */
export const TIMER_LIMITS = { extendMs: 60 * 60_000, durationMs: 8 * 3600_000 } as const;

/** The timer as stored, or null when there is none or a peer wrote something malformed. */
export function getTimer(doc: Y.Doc): ItemTimer | null {
  const parsed = itemTimer.safeParse(metaOf(doc).get('timer'));
  return parsed.success ? parsed.data : null;
}

/** Milliseconds left at `now` (negative = overtime). */
export function timerRemaining(timer: ItemTimer, now: number): number {
  return timer.startedAt === null ? timer.remainingMs : timer.remainingMs - (now - timer.startedAt);
}

/** Whether the timer is counting down. */
export function timerRunning(timer: ItemTimer | null): boolean {
  return timer !== null && timer.startedAt !== null;
}

function write(doc: Y.Doc, timer: ItemTimer | null, origin?: unknown): void {
  doc.transact(
    () => metaOf(doc).set('timer', timer === null ? null : itemTimer.parse(timer)),
    origin,
  );
}

/**
 * Starts (or resumes) the timer of an item. A different item, or no timer yet, starts a fresh
 * time box of `durationMs`; the same paused item resumes where it stopped. False for an unknown item.
 */
export function startTimer(
  doc: Y.Doc,
  itemId: string,
  durationMs: number,
  now: number,
  origin?: unknown,
): boolean {
  if (!findItem(doc, itemId)) return false;
  const current = getTimer(doc);
  if (current && current.itemId === itemId) {
    if (current.startedAt !== null) return true;
    write(doc, { ...current, startedAt: Math.trunc(now) }, origin);
    return true;
  }
  const duration = Math.max(0, Math.min(TIMER_LIMITS.durationMs, Math.trunc(durationMs)));
  write(
    doc,
    { itemId, durationMs: duration, startedAt: Math.trunc(now), remainingMs: duration },
    origin,
  );
  return true;
}

/** Pauses a running timer, keeping what is left. */
export function pauseTimer(doc: Y.Doc, now: number, origin?: unknown): boolean {
  const current = getTimer(doc);
  if (!current || current.startedAt === null) return false;
  write(
    doc,
    { ...current, startedAt: null, remainingMs: Math.trunc(timerRemaining(current, now)) },
    origin,
  );
  return true;
}

/** Adds time to the current time box (running or paused). */
export function extendTimer(doc: Y.Doc, ms: number, origin?: unknown): boolean {
  const current = getTimer(doc);
  const add = Math.trunc(ms);
  if (!current || add <= 0 || add > TIMER_LIMITS.extendMs) return false;
  write(
    doc,
    {
      ...current,
      durationMs: Math.min(TIMER_LIMITS.durationMs, current.durationMs + add),
      remainingMs: Math.min(TIMER_LIMITS.durationMs, current.remainingMs + add),
    },
    origin,
  );
  return true;
}

/** Removes the timer (e.g. when the item is done). */
export function clearTimer(doc: Y.Doc, origin?: unknown): void {
  write(doc, null, origin);
}
