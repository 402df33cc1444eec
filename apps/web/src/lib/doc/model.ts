import * as Y from 'yjs';
import {
  AGENDA_LIMITS,
  agendaOf,
  getFocus,
  isAgendaStatus,
  metaOf,
  sortedItems,
  type AgendaStatus,
} from '@yishi/model';

/** One agenda item as the list renders it; the Y types are the live ones to bind editors to. */
export interface ItemView {
  id: string;
  title: Y.Text | null;
  titleText: string;
  presenter: string;
  minutes: number;
  status: AgendaStatus;
  notes: Y.XmlFragment | null;
  decision: Y.XmlFragment | null;
}

/** What the agenda component renders, read from the document. */
export interface AgendaView {
  items: ItemView[];
  focus: string | null;
  plannedEnd: string | null;
  totalMinutes: number;
}

/**
 * Reads the agenda for display. Unlike readAgenda it does not serialize notes (that would cost
 * a full walk of every note per keystroke); fields a peer wrote with a wrong type read as defaults.
 */
export function readView(doc: Y.Doc): AgendaView {
  const items = sortedItems(doc).map((map): ItemView => {
    const title = map.get('title');
    const presenter = map.get('presenter');
    const minutes = map.get('minutes');
    const status = map.get('status');
    const notes = map.get('notes');
    const decision = map.get('decision');
    return {
      id: String(map.get('id') ?? ''),
      title: title instanceof Y.Text ? title : null,
      titleText: title instanceof Y.Text ? title.toString() : '',
      presenter: typeof presenter === 'string' ? presenter.slice(0, AGENDA_LIMITS.presenter) : '',
      minutes:
        typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0
          ? Math.min(minutes, AGENDA_LIMITS.minutes)
          : 0,
      status: isAgendaStatus(status) ? status : 'pending',
      notes: notes instanceof Y.XmlFragment ? notes : null,
      decision: decision instanceof Y.XmlFragment ? decision : null,
    };
  });
  const plannedEnd = metaOf(doc).get('plannedEnd');
  return {
    items,
    focus: getFocus(doc),
    plannedEnd: typeof plannedEnd === 'string' ? plannedEnd : null,
    totalMinutes: items.reduce((sum, item) => sum + item.minutes, 0),
  };
}

/**
 * Calls `onChange` when anything the list shows changes. Edits inside notes and decisions are
 * skipped: Tiptap renders those itself, and re-rendering the list per keystroke is wasted work.
 */
export function watchAgenda(doc: Y.Doc, onChange: () => void): () => void {
  const agenda = agendaOf(doc);
  const meta = metaOf(doc);
  const onAgenda = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    const relevant = events.some(
      (event) =>
        !(
          event.target instanceof Y.XmlFragment ||
          event.target instanceof Y.XmlElement ||
          event.target instanceof Y.XmlText
        ),
    );
    if (relevant) onChange();
  };
  agenda.observeDeep(onAgenda);
  meta.observe(onChange);
  return () => {
    agenda.unobserveDeep(onAgenda);
    meta.unobserve(onChange);
  };
}
