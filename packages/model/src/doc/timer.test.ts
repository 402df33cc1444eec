import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAgendaItem } from './agenda.ts';
import { metaOf } from './schema.ts';
import { clearTimer, extendTimer, getTimer, pauseTimer, startTimer, timerRemaining, timerRunning } from './timer.ts';
import { attendanceSummary } from '../room.ts';

function docWithItems() {
  const doc = new Y.Doc();
  const a = createAgendaItem(doc, { title: '規範停車', minutes: 15 });
  const b = createAgendaItem(doc, { title: '文明養寵', minutes: 10 });
  return { doc, a, b };
}

describe('item timer in meta', () => {
  it('starts, counts down, pauses, resumes and extends with the same numbers everywhere', () => {
    const { doc, a } = docWithItems();
    expect(getTimer(doc)).toBeNull();
    expect(startTimer(doc, a, 15 * 60_000, 1_000)).toBe(true);
    const t = getTimer(doc)!;
    expect(timerRunning(t)).toBe(true);
    expect(timerRemaining(t, 61_000)).toBe(14 * 60_000);

    // A second client sees the same countdown from the synced state.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    expect(timerRemaining(getTimer(other)!, 61_000)).toBe(14 * 60_000);

    expect(pauseTimer(doc, 121_000)).toBe(true);
    expect(pauseTimer(doc, 200_000)).toBe(false);
    const paused = getTimer(doc)!;
    expect(timerRunning(paused)).toBe(false);
    expect(timerRemaining(paused, 999_999)).toBe(13 * 60_000);

    expect(extendTimer(doc, 5 * 60_000)).toBe(true);
    expect(getTimer(doc)!.durationMs).toBe(20 * 60_000);
    expect(timerRemaining(getTimer(doc)!, 0)).toBe(18 * 60_000);

    // Resuming the same item keeps what was left.
    expect(startTimer(doc, a, 99, 500_000)).toBe(true);
    expect(timerRemaining(getTimer(doc)!, 560_000)).toBe(17 * 60_000);
    // Overtime reads negative.
    expect(timerRemaining(getTimer(doc)!, 500_000 + 19 * 60_000)).toBe(-60_000);
  });

  it('starts a fresh time box for another item and refuses unknown items and bad extensions', () => {
    const { doc, a, b } = docWithItems();
    startTimer(doc, a, 60_000, 0);
    expect(startTimer(doc, 'nope', 60_000, 0)).toBe(false);
    expect(startTimer(doc, b, 10 * 60_000, 5_000)).toBe(true);
    expect(getTimer(doc)).toEqual({ itemId: b, durationMs: 600_000, startedAt: 5_000, remainingMs: 600_000 });
    expect(extendTimer(doc, 0)).toBe(false);
    expect(extendTimer(doc, -5)).toBe(false);
    expect(extendTimer(doc, 10 * 3600_000)).toBe(false);
    clearTimer(doc);
    expect(getTimer(doc)).toBeNull();
    expect(extendTimer(doc, 60_000)).toBe(false);
    expect(pauseTimer(doc, 0)).toBe(false);
  });

  it('reads a malformed timer written by a peer as no timer', () => {
    const { doc } = docWithItems();
    metaOf(doc).set('timer', { itemId: 5, startedAt: 'soon' });
    expect(getTimer(doc)).toBeNull();
  });
});

describe('attendance summary', () => {
  const roster = [
    { affiliation: 'party', role: 'host', present: true },
    { affiliation: 'resident', role: 'participant', present: true },
    { affiliation: 'resident', role: 'participant', present: false },
    { affiliation: 'property', role: 'observer', present: true },
  ] as const;
  it('counts present participants by affiliation, without observers, against the quorum', () => {
    const s = attendanceSummary(roster, 2);
    expect(s).toMatchObject({ present: 2, total: 3, quorum: 2, quorumMet: true });
    expect(s.byAffiliation).toMatchObject({ party: 1, resident: 1, property: 0 });
    expect(attendanceSummary(roster, 3).quorumMet).toBe(false);
    expect(attendanceSummary(roster, null).quorumMet).toBeNull();
  });
});
