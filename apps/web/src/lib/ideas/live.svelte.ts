import { io, type Socket } from 'socket.io-client';
import type { IdeaDto, IdeasClientToServerEvents, IdeasServerToClientEvents } from '@yishi/model';

type CampaignSocket = Socket<IdeasServerToClientEvents, IdeasClientToServerEvents>;

/**
 * An organiser's live link to a campaign: new ideas arrive as they are posted; other changes
 * (themes, moves, answers) ask the page to re-read. Watches again after every reconnect.
 */
export class CampaignLive {
  connected = $state(false);
  private socket: CampaignSocket | null = null;

  constructor(
    private readonly campaignId: string,
    private readonly handlers: { idea: (idea: IdeaDto) => void; changed: () => void },
  ) {}

  /** Connects; returns the cleanup for an `$effect`. */
  start(): () => void {
    const socket: CampaignSocket = io({ path: '/socket.io', transports: ['websocket'] });
    this.socket = socket;
    socket.on('connect', () => {
      socket.emit('campaign:watch', { campaignId: this.campaignId }, (answer) => {
        this.connected = answer.ok;
        // After a reconnect, whatever arrived meanwhile is read again.
        if (answer.ok) this.handlers.changed();
      });
    });
    socket.on('disconnect', () => (this.connected = false));
    socket.on('idea:new', ({ campaignId, idea }) => {
      if (campaignId === this.campaignId) this.handlers.idea(idea);
    });
    socket.on('ideas:changed', ({ campaignId }) => {
      if (campaignId === this.campaignId) this.handlers.changed();
    });
    return () => {
      socket.disconnect();
      this.socket = null;
    };
  }
}
