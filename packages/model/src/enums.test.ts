import { describe, expect, it } from 'vitest';
import { documentWriteAccess, meetingIsOver, mayDeleteAgendaItems, MEETING_ROLES, MEETING_STATUSES } from './enums.ts';

describe('documentWriteAccess', () => {
  it('follows the lifecycle: everyone but observers, then host and secretary, then nobody', () => {
    const table = Object.fromEntries(
      MEETING_STATUSES.map((status) => [status, MEETING_ROLES.filter((role) => documentWriteAccess(role, status))]),
    );
    expect(table).toEqual({
      planned: ['host', 'secretary', 'participant'],
      live: ['host', 'secretary', 'participant'],
      closed: ['host', 'secretary'],
      final: [],
    });
  });

  it('lets only host and secretary delete agenda items', () => {
    expect(MEETING_ROLES.filter(mayDeleteAgendaItems)).toEqual(['host', 'secretary']);
  });

  it('counts ended and final as over', () => {
    expect(MEETING_STATUSES.filter(meetingIsOver)).toEqual(['closed', 'final']);
  });
});
