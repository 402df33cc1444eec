import type { Affiliation, MeetingRole } from '@yishi/model';

/** How someone takes part: at a tablet in the room, remotely, or as the room's projector. */
export type Device = 'tablet' | 'remote' | 'projector';

/** What each browser publishes about itself in Yjs awareness (`user`). */
export interface PresenceUser {
  id: string;
  name: string;
  /** `#rrggbb`: the caret extension ignores anything else. */
  color: string;
  affiliation: Affiliation | null;
  role: MeetingRole;
  device: Device;
}

/** Caret colours with enough contrast on white for the name label (white text on them). */
const COLORS = ['#a8231b', '#1f5fbf', '#1f6b3a', '#7a3db8', '#b35400', '#00707a', '#8a2a5c', '#4d5a12'];

/** A stable colour per person, so everyone sees the same person in the same colour. */
export function colorFor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return COLORS[hash % COLORS.length]!;
}

/** A simple guess: observers are the projector; a coarse pointer is a tablet; else remote. */
export function guessDevice(_role: MeetingRole): Device {
  // An observer is a person listening in, not a projector (the board page has no agenda editor).
  if (typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches) return 'tablet';
  return 'remote';
}

const AFFILIATIONS: readonly string[] = ['party', 'committee', 'property', 'resident', 'social-work', 'other'];
const ROLES: readonly string[] = ['host', 'secretary', 'participant', 'observer'];
const DEVICES: readonly string[] = ['tablet', 'remote', 'projector'];

/** Reads a peer's awareness `user` defensively: any peer can publish anything. */
export function parsePresence(value: unknown): PresenceUser | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || typeof v.id !== 'string') return null;
  return {
    id: v.id.slice(0, 64),
    name: v.name.slice(0, 64),
    color: typeof v.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(v.color) ? v.color : '#5a5148',
    affiliation:
      typeof v.affiliation === 'string' && AFFILIATIONS.includes(v.affiliation)
        ? (v.affiliation as Affiliation)
        : null,
    role: typeof v.role === 'string' && ROLES.includes(v.role) ? (v.role as MeetingRole) : 'participant',
    device: typeof v.device === 'string' && DEVICES.includes(v.device) ? (v.device as Device) : 'remote',
  };
}
