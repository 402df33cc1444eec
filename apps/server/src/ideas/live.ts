import type { Server } from 'socket.io';
import type { IdeaDto, IdeasServerToClientEvents } from '@yishi/model';
import type { Deps } from '../deps.ts';

/** The socket.io room of a campaign's organisers. */
export const campaignRoom = (campaignId: string) => `campaign:${campaignId}`;

/** How long `ideas:changed` waits to gather changes: a burst of answers makes one re-read, not hundreds. */
const CHANGED_COALESCE_MS = 250;

/**
 * Forwards campaign changes to the organisers watching it: each new idea as it is (it is small), and
 * "something changed" at most once per campaign every 250 ms. Returns the cleanup.
 */
export function forwardCampaignEvents(io: Pick<Server<Record<string, never>, IdeasServerToClientEvents>, 'to'>, deps: Deps): () => void {
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const onIdeas = (campaignId: string, idea: IdeaDto | null) => {
    if (idea) {
      io.to(campaignRoom(campaignId)).emit('idea:new', { campaignId, idea });
      return;
    }
    if (pending.has(campaignId)) return;
    pending.set(
      campaignId,
      setTimeout(() => {
        pending.delete(campaignId);
        io.to(campaignRoom(campaignId)).emit('ideas:changed', { campaignId });
      }, CHANGED_COALESCE_MS),
    );
  };
  deps.events.on('ideas', onIdeas);
  return () => {
    deps.events.off('ideas', onIdeas);
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
  };
}
