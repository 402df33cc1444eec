/**
 * How often follow-ups are re-read while the page is visible: a fallback, since the meeting room's
 * socket announces changes at once (`followups:changed`) and pages without one (public board) poll.
 */
export const FOLLOW_UPS_REFRESH_MS = 10_000;

const changes = new EventTarget();

/** Tells every follow-up list on this page to re-read now (after a local create or update). */
export function announceFollowUpsChanged(): void {
  changes.dispatchEvent(new Event('changed'));
}

/**
 * Calls `refresh` now, on every local change, when the tab becomes visible, and every
 * FOLLOW_UPS_REFRESH_MS while it is visible. Returns the cleanup for an `$effect`.
 */
export function keepFresh(refresh: () => void): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const sync = () => {
    clearInterval(timer);
    timer = undefined;
    if (document.visibilityState === 'visible') timer = setInterval(refresh, FOLLOW_UPS_REFRESH_MS);
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible') refresh();
    sync();
  };
  refresh();
  sync();
  document.addEventListener('visibilitychange', onVisibility);
  changes.addEventListener('changed', refresh);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    changes.removeEventListener('changed', refresh);
  };
}
