import { FOLLOW_UP_STATUSES, type FollowUpDto, type FollowUpStatus } from '@yishi/model';

/** The order residents read the board in: what is being worked on first, finished work last. */
export const BOARD_ORDER: readonly FollowUpStatus[] = ['in-progress', 'open', 'done', 'dropped'];

/** Follow-ups grouped by status in board order; empty groups left out. */
export function groupByStatus(
  followUps: FollowUpDto[],
): { status: FollowUpStatus; items: FollowUpDto[] }[] {
  const groups = new Map<FollowUpStatus, FollowUpDto[]>(FOLLOW_UP_STATUSES.map((s) => [s, []]));
  for (const f of followUps) groups.get(f.status)?.push(f);
  return BOARD_ORDER.map((status) => ({ status, items: groups.get(status) ?? [] })).filter(
    (g) => g.items.length > 0,
  );
}

/** The latest progress note that says something (status-only entries have no text). */
export function latestNote(followUp: FollowUpDto): FollowUpDto['notes'][number] | null {
  for (let i = followUp.notes.length - 1; i >= 0; i--) {
    const note = followUp.notes[i];
    if (note?.body) return note;
  }
  return null;
}

/** Adds and removes a class on <body> for the life of a page (print rules that must not leak). */
export function bodyClass(name: string): () => void {
  document.body.classList.add(name);
  return () => document.body.classList.remove(name);
}
