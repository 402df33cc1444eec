import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, MeetingEnterAck, PollAck, PollChoice, PollCreatePayload, PollVoteAck, ServerToClientEvents } from '@yishi/model';

/** A socket.io client of the live layer, typed by the shared contract. */
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects with the session cookie, websocket transport only (what a busy room should use). */
export function connectLive(url: string, cookie: string): Promise<LiveSocket> {
  const socket: LiveSocket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((done, fail) => {
    socket.once('connect', () => done(socket));
    socket.once('connect_error', (error: Error) => {
      socket.close();
      fail(new Error(`socket.io: ${error.message}`));
    });
  });
}

const ACK_TIMEOUT_MS = 30_000;

/** Enters a meeting room; throws with the server's error code. */
export async function enterMeeting(socket: LiveSocket, meetingId: string): Promise<{ eligible: boolean }> {
  const ack: MeetingEnterAck = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('meeting:enter', { meetingId });
  if (!ack.ok) throw new Error(`meeting:enter: ${ack.error.code} ${ack.error.message}`);
  return { eligible: ack.eligible };
}

/** Casts a vote; the ack as the server sent it (or a timeout error). */
export async function vote(socket: LiveSocket, pollId: string, choice: PollChoice): Promise<PollVoteAck> {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck('poll:vote', { pollId, choice });
}

function pollOf(event: string, ack: PollAck) {
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
  return ack.poll;
}

/** The facilitator's side of a poll: create, open, close. */
export const facilitator = {
  create: async (socket: LiveSocket, payload: PollCreatePayload) =>
    pollOf('poll:create', await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('poll:create', payload)),
  open: async (socket: LiveSocket, pollId: string, confirmSmallGroup?: true) =>
    pollOf('poll:open', await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('poll:open', confirmSmallGroup ? { pollId, confirmSmallGroup } : { pollId })),
  close: async (socket: LiveSocket, pollId: string, confirmUnanimous?: true) =>
    pollOf('poll:close', await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('poll:close', confirmUnanimous ? { pollId, confirmUnanimous } : { pollId })),
};
