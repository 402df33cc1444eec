import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  DrawClientToServerEvents,
  DrawDto,
  DrawServerToClientEvents,
  MeetingRole,
  MyPollStatus,
  PollDto,
  QueueDto,
  RoomClientToServerEvents,
  RoomServerToClientEvents,
  ServerToClientEvents,
} from '@yishi/model';
import { announceFollowUpsChanged } from '$lib/followups/live';
import { m } from '$lib/paraglide/messages.js';

type ClientEvents = ClientToServerEvents & RoomClientToServerEvents & DrawClientToServerEvents;

export type LiveSocket = Socket<ServerToClientEvents & RoomServerToClientEvents & DrawServerToClientEvents, ClientEvents>;

/** What an ack failure turns into: a localized message (the server's, or ours without an answer). */
export class LiveError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long an ack may take before we say the connection is gone (the server answers in ms). */
const ACK_TIMEOUT_MS = 15_000;

/**
 * The one socket.io connection of a page, with the room's live state (polls, queue) as runes.
 * On every (re)connect it enters the meeting again and re-reads polls and queue, so a network
 * blip heals by itself.
 */
export class LiveRoom {
  connected = $state(false);
  role = $state<MeetingRole | null>(null);
  eligible = $state(false);
  polls = $state<PollDto[]>([]);
  mine = $state<Record<string, MyPollStatus>>({});
  queue = $state<QueueDto | null>(null);
  /** Draws by lot of the meeting, in creation order. */
  draws = $state<DrawDto[]>([]);
  /** Which of polls and draws changed last while this page was open (the board shows that one). */
  lastChanged = $state<'poll' | 'draw' | null>(null);
  /** The last thing announced to screen readers (poll opened/closed, next speaker). */
  announcement = $state('');
  /** Bumped on roster:changed / meeting:changed so pages can re-read over HTTP. */
  rosterVersion = $state(0);
  meetingVersion = $state(0);
  /** Why the server stopped talking to this page for good: the session ended, or the host removed us. */
  gone = $state<'session' | 'removed' | null>(null);

  readonly socket: LiveSocket;

  constructor(readonly meetingId: string) {
    this.socket = io({ path: '/socket.io', transports: ['websocket'] });
    this.socket.on('connect', () => {
      this.connected = true;
      void this.sync();
    });
    this.socket.on('disconnect', () => {
      this.connected = false;
    });
    this.socket.on('poll:state', ({ poll }) => this.applyPoll(poll));
    this.socket.on('queue:state', ({ queue }) => this.applyQueue(queue));
    this.socket.on('draw:state', ({ draw }) => this.applyDraw(draw));
    this.socket.on('roster:changed', () => {
      this.rosterVersion++;
    });
    // Follow-up lists on this page re-read through their own subscription.
    this.socket.on('followups:changed', () => announceFollowUpsChanged());
    this.socket.on('session:ended', () => (this.gone = 'session'));
    this.socket.on('meeting:removed', ({ meetingId: removedFrom }) => {
      if (removedFrom === meetingId) this.gone = 'removed';
    });
    this.socket.on('meeting:changed', () => {
      this.meetingVersion++;
      this.rosterVersion++;
    });
  }

  /** Enters the meeting and reads everything (after each connect). */
  async sync(): Promise<void> {
    try {
      const entered = await this.call('meeting:enter', { meetingId: this.meetingId });
      this.role = entered.role;
      this.eligible = entered.eligible;
      const [list, queue, draws] = await Promise.all([
        this.call('poll:list', { meetingId: this.meetingId }),
        this.call('queue:list', { meetingId: this.meetingId }),
        this.call('draw:list', { meetingId: this.meetingId }),
      ]);
      this.polls = list.polls;
      this.mine = list.mine;
      this.queue = queue.queue;
      this.draws = draws.draws;
      // Missed broadcasts while away: roster and meeting may have changed too.
      this.rosterVersion++;
    } catch (error) {
      console.error('live sync failed', error);
    }
  }

  /** Emits an event and resolves with the ok answer; rejects with a LiveError otherwise. */
  async call<E extends keyof ClientEvents>(
    event: E,
    payload: Parameters<ClientEvents[E]>[0],
  ): Promise<Extract<Parameters<Parameters<ClientEvents[E]>[1]>[0], { ok: true }>> {
    type Answer = { ok: true } | { ok: false; error: { code: string; message: string } };
    let answer: Answer;
    try {
      const emit = this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck as unknown as (
        event: string,
        payload: unknown,
      ) => Promise<Answer>;
      answer = await emit.call(this.socket.timeout(ACK_TIMEOUT_MS), event, payload);
    } catch {
      throw new LiveError('network', m.error_network());
    }
    if (!answer.ok) throw new LiveError(answer.error.code, answer.error.message);
    return answer as never;
  }

  applyPoll(poll: PollDto): void {
    const before = this.polls.find((p) => p.id === poll.id);
    if (before?.status !== 'open' && poll.status === 'open') this.announcement = m.poll_announce_opened({ title: poll.title });
    if (before?.status === 'open' && poll.status === 'closed') this.announcement = m.poll_announce_closed({ title: poll.title });
    this.polls = before ? this.polls.map((p) => (p.id === poll.id ? poll : p)) : [...this.polls, poll];
    this.lastChanged = 'poll';
    // The eligible set is fixed when a poll opens: re-read where we stand.
    if (before?.status !== poll.status) void this.refreshMine();
  }

  applyDraw(draw: DrawDto): void {
    const before = this.draws.find((d) => d.id === draw.id);
    if (!before) this.announcement = m.draw_announce_created({ title: draw.title });
    else if (before.seed === null && draw.seed !== null) this.announcement = m.draw_announce_seeded({ title: draw.title });
    this.draws = before ? this.draws.map((d) => (d.id === draw.id ? draw : d)) : [...this.draws, draw];
    this.lastChanged = 'draw';
  }

  applyQueue(queue: QueueDto): void {
    const before = this.queue?.speaking?.userId ?? null;
    if (queue.speaking && queue.speaking.userId !== before) this.announcement = m.queue_announce_next({ name: queue.speaking.name });
    this.queue = queue;
  }

  async refreshMine(): Promise<void> {
    try {
      const list = await this.call('poll:list', { meetingId: this.meetingId });
      this.mine = list.mine;
    } catch (error) {
      console.error('poll:list failed', error);
    }
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
