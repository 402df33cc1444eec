/// <reference lib="dom" />
// Functions that run inside the meeting page (handed to page.evaluate, serialized by Playwright):
// they may use nothing from their module, only their arguments and the page's globals. No named
// inner functions either: tsx (esbuild keepNames) would wrap them in a helper the page lacks.

/** Per marker seq: [page clock when it appeared in the editor DOM, page clock of the next frame (0 until then)]. */
export type Seen = Record<string, [number, number]>;

/** Installed in every receiving page: stamps each marker's first appearance in the first item's notes editor. */
export function observeMarkers(): void {
  const root = document
    .querySelectorAll('[data-testid="agenda-item"]')[0]
    ?.querySelector('[data-testid="agenda-notes"] .tiptap');
  if (!root) throw new Error('no notes editor in the first agenda item');
  const seen: Seen = {};
  (window as unknown as { benchSeen: Seen }).benchSeen = seen;
  new MutationObserver(() => {
    const at = performance.timeOrigin + performance.now();
    const fresh: string[] = [];
    for (const match of (root.textContent ?? '').matchAll(/#(\d+);/g)) {
      if (!seen[match[1]!]) {
        seen[match[1]!] = [at, 0];
        fresh.push(match[1]!);
      }
    }
    if (fresh.length)
      requestAnimationFrame(() =>
        fresh.forEach((seq) => (seen[seq]![1] = performance.timeOrigin + performance.now())),
      );
  }).observe(root, { subtree: true, childList: true, characterData: true });
}

/**
 * Types one marker in the page and returns the page's clock just before it: the stamp and the
 * insert are one synchronous step in the page, so neither the CDP round trip nor the harness's
 * scheduling is counted. execCommand('insertText') is the browser's own text-input path (it fires
 * beforeinput and mutates the editable; ProseMirror reads the change as it reads typing).
 */
export function typeMarker(text: string): number {
  const surface = document
    .querySelectorAll('[data-testid="agenda-item"]')[0]
    ?.querySelector<HTMLElement>('[data-testid="agenda-notes"] .tiptap');
  if (!surface) throw new Error('no notes editor in the first agenda item');
  if (!surface.contains(document.activeElement) && document.activeElement !== surface)
    surface.focus();
  const at = performance.timeOrigin + performance.now();
  if (!document.execCommand('insertText', false, text))
    throw new Error('execCommand insertText refused');
  return at;
}

/** What a receiving page has stamped so far. */
export function seenMarkers(): Seen {
  return (window as unknown as { benchSeen: Seen }).benchSeen;
}

/** Whether a receiving page has seen marker `seq` yet. */
export function hasMarker(seq: string): boolean {
  return Boolean((window as unknown as { benchSeen?: Seen }).benchSeen?.[seq]);
}
