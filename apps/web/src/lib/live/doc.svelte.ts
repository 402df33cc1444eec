import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import {
  clearTimer,
  extendTimer,
  getTimer,
  pauseTimer,
  readAgenda,
  setFocus,
  startTimer,
  updateAgendaItem,
  type ItemTimer,
  type MeetingDocJson,
} from '@yishi/model';

/** The address of the Yjs endpoint on this host. */
export function yjsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
}

/**
 * A meeting document of its own for the board and the facilitator controls: the agenda, the
 * focus and the timer as runes. The provider reconnects by itself after a blip.
 */
export class LiveDoc {
  agenda = $state<MeetingDocJson | null>(null);
  timer = $state<ItemTimer | null>(null);
  synced = $state(false);
  connected = $state(false);

  readonly doc = new Y.Doc();
  private readonly provider: WebsocketProvider;

  constructor(readonly meetingId: string) {
    this.provider = new WebsocketProvider(yjsUrl(), meetingId, this.doc);
    this.provider.on('status', ({ status }: { status: string }) => {
      this.connected = status === 'connected';
    });
    this.provider.on('sync', (synced: boolean) => {
      this.synced = synced;
      this.read();
    });
    this.doc.on('update', () => this.read());
  }

  private read(): void {
    this.agenda = readAgenda(this.doc);
    this.timer = getTimer(this.doc);
  }

  focus(itemId: string | null): void {
    setFocus(this.doc, itemId);
    if (itemId) updateAgendaItem(this.doc, itemId, { status: 'discussing' });
  }

  startTimer(itemId: string): void {
    const minutes = this.agenda?.items.find((i) => i.id === itemId)?.minutes ?? 0;
    startTimer(this.doc, itemId, (minutes || 5) * 60_000, Date.now());
  }

  pauseTimer(): void {
    pauseTimer(this.doc, Date.now());
  }

  extendTimer(minutes: number): void {
    extendTimer(this.doc, minutes * 60_000);
  }

  markDone(itemId: string): void {
    this.doc.transact(() => {
      updateAgendaItem(this.doc, itemId, { status: 'done' });
      if (this.timer?.itemId === itemId) clearTimer(this.doc);
    });
  }

  destroy(): void {
    this.provider.destroy();
    this.doc.destroy();
  }
}
