import { joinAsGuest, mapLimit, newHost, newMeeting, type ApiClient } from '../api.ts';
import type { BenchContext } from '../context.ts';
import type { Room } from './yjsLoad.ts';

/** A host account with its community, on the current server. */
export type Host = { client: ApiClient; communityId: string };

export function host(ctx: BenchContext): Promise<Host> {
  return newHost(ctx.yishi.url);
}

/** `n` guests joined to one meeting by its code (present, as in the room). */
export function guests(ctx: BenchContext, joinCode: string, n: number): Promise<{ cookie: string; userId: string }[]> {
  return mapLimit(
    Array.from({ length: n }, (_, i) => i),
    8,
    (i) => joinAsGuest(ctx.yishi.url, joinCode, `居民${i + 1}`),
  );
}

/** `meetings` meetings with `clients` joined guests each. */
export async function roomsWithGuests(ctx: BenchContext, owner: Host, meetings: number, clients: number, title: string): Promise<Room[]> {
  const created = await mapLimit(
    Array.from({ length: meetings }, (_, i) => i),
    4,
    (i) => newMeeting(owner, `${title} ${i + 1}`),
  );
  const rooms: Room[] = [];
  for (const meeting of created) rooms.push({ meetingId: meeting.id, cookies: (await guests(ctx, meeting.joinCode, clients)).map((g) => g.cookie) });
  return rooms;
}

/** The same rooms for the stock server: fresh room names, no cookies. */
export function baselineRooms(rooms: Room[]): Room[] {
  return rooms.map((room) => ({ meetingId: `baseline-${room.meetingId}`, cookies: room.cookies.map(() => '') }));
}
