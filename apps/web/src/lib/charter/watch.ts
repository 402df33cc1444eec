import type * as Y from 'yjs';
import { charterOf, readCharter, type CharterJson } from '@yishi/model';

/**
 * Calls `onChange` with the charter as plain JSON now and after every change to it (one read per
 * transaction). Returns the unsubscribe function. Reading never writes to the document.
 */
export function watchCharter(doc: Y.Doc, onChange: (charter: CharterJson | null) => void): () => void {
  const root = charterOf(doc);
  const read = () => onChange(readCharter(doc));
  read();
  root.observeDeep(read);
  return () => root.unobserveDeep(read);
}
