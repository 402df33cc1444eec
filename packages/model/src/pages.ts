/**
 * Pages anyone may embed in a frame: the public board (公示), its poster and a draw's verification
 * page (/d/:id) hold no personal data beyond what is published and no actions, and community
 * websites and chat articles show them. Every other page refuses to be
 * framed (clickjacking of the room, the votes and the roster).
 */
export function isEmbeddablePage(pathname: string): boolean {
  return /^\/c\/[^/]+\/(board|poster)\/?$/.test(pathname) || /^\/d\/[^/]+\/?$/.test(pathname);
}
