import { error, redirect } from '@sveltejs/kit';
import type { MeetingUnitsDto } from '@yishi/model';
import type {
  CommunityDto,
  CreateMeetingBody,
  EndMeetingBody,
  ErrorCode,
  JoinBody,
  JoinResultDto,
  LoginBody,
  MeetingDto,
  MeetingStatus,
  MeetingSummaryDto,
  ParticipantDto,
  SignupBody,
  UpdateParticipantBody,
  UserDto,
  CreateFollowUpBody,
  FollowUpDto,
  FollowUpNoteBody,
  UpdateFollowUpBody,
  PublicDrawDto,
  PublicCharterDto,
} from '@yishi/model';
import type { Minutes } from '@yishi/minutes';
import { m } from '$lib/paraglide/messages.js';

/** Codes the client makes up itself when there is no server answer to show. */
export type ClientErrorCode = 'network' | 'bad_response';

/** An API failure with a message fit to show: the server's (already localized) or our own. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** Further facts the server gave with the error (e.g. `rows` of a refused import). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface MeetingPatch {
  title?: string;
  status?: MeetingStatus;
  startsAt?: string | null;
  location?: string | null;
}

type Fetch = typeof fetch;

function isErrorBody(value: unknown): value is { error: { code: string; message: string } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** A typed client for the JSON API; pass SvelteKit's `fetch` inside load functions. */
export function createApi(fetchFn: Fetch = fetch) {
  /** A JSON request; with `contentType`, `body` (a Blob or text) is sent as it is (CSV files, photos). */
  async function request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    let response: Response;
    const raw = contentType !== undefined && (typeof body === 'string' || body instanceof Blob);
    try {
      response = await fetchFn(`/api${path}`, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': raw ? contentType : 'application/json' },
        body: body === undefined ? undefined : raw ? (body as string | Blob) : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      throw new ApiError(0, 'network', m.error_network());
    }
    if (response.status === 204) return undefined as T;
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      // A proxy's HTML error page or a cut connection: nothing from the server to show.
      throw new ApiError(
        response.status,
        'bad_response',
        response.status >= 500 ? m.error_network() : m.error_unexpected(),
      );
    }
    if (!response.ok) {
      if (isErrorBody(payload))
        throw new ApiError(response.status, payload.error.code, payload.error.message, payload.error);
      throw new ApiError(response.status, 'bad_response', m.error_unexpected());
    }
    return payload as T;
  }

  return {
    /** Any API route, for modules with their own typed clients (e.g. $lib/ideas/api). */
    request,
    /** The signed-in user, or null without a session. */
    async me(): Promise<UserDto | null> {
      try {
        return (await request<{ user: UserDto }>('GET', '/me')).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    signup: (body: SignupBody) => request<{ user: UserDto }>('POST', '/auth/signup', body),
    login: (body: LoginBody) => request<{ user: UserDto }>('POST', '/auth/login', body),
    logout: () => request<void>('POST', '/auth/logout'),
    communities: () => request<CommunityDto[]>('GET', '/communities'),
    createCommunity: (name: string) => request<CommunityDto>('POST', '/communities', { name }),
    community: (id: string) =>
      request<CommunityDto>('GET', `/communities/${encodeURIComponent(id)}`),
    communityMeetings: (id: string) =>
      request<MeetingSummaryDto[]>('GET', `/communities/${encodeURIComponent(id)}/meetings`),
    createMeeting: (body: CreateMeetingBody) =>
      request<{ id: string; joinCode: string; joinUrl: string }>('POST', '/meetings', body),
    meeting: (id: string) => request<MeetingDto>('GET', `/meetings/${encodeURIComponent(id)}`),
    updateMeeting: (id: string, patch: MeetingPatch) =>
      request<MeetingDto>('PATCH', `/meetings/${encodeURIComponent(id)}`, patch),
    startMeeting: (id: string) => request<MeetingDto>('POST', `/meetings/${encodeURIComponent(id)}/start`),
    /** Ends the meeting; with polls still open the answer is polls_open unless keepOpenPolls. */
    endMeeting: (id: string, body: EndMeetingBody = {}) =>
      request<MeetingDto>('POST', `/meetings/${encodeURIComponent(id)}/end`, body),
    finalizeMeeting: (id: string) => request<MeetingDto>('POST', `/meetings/${encodeURIComponent(id)}/finalize`),
    reopenMeeting: (id: string, reason: string) =>
      request<MeetingDto>('POST', `/meetings/${encodeURIComponent(id)}/reopen`, { reason }),
    rotateJoinCode: (id: string) =>
      request<{ joinCode: string; joinUrl: string }>(
        'POST',
        `/meetings/${encodeURIComponent(id)}/join-code`,
      ),
    join: (body: JoinBody) => request<JoinResultDto>('POST', '/join', body),
    participants: (id: string) =>
      request<ParticipantDto[]>('GET', `/meetings/${encodeURIComponent(id)}/participants`),
    /** The host checks in someone without a device (簽到). */
    checkIn: (id: string, body: { name: string; affiliation: ParticipantDto['affiliation'] }) =>
      request<ParticipantDto>('POST', `/meetings/${encodeURIComponent(id)}/participants`, body),
    setAttendanceQuorum: (id: string, attendanceQuorum: number | null) =>
      request<MeetingDto>('PATCH', `/meetings/${encodeURIComponent(id)}`, { attendanceQuorum }),
    /** Opens a fresh demo meeting (an account is made for an anonymous visitor). */
    demo: () => request<{ meetingId: string; communityId: string }>('POST', '/demo'),
    /** The unit register at check-in (host or secretary): who represents each unit here. */
    meetingUnits: (id: string) => request<MeetingUnitsDto>('GET', `/meetings/${encodeURIComponent(id)}/units`),
    updateParticipant: (id: string, userId: string, patch: UpdateParticipantBody) =>
      request<ParticipantDto>(
        'PATCH',
        `/meetings/${encodeURIComponent(id)}/participants/${encodeURIComponent(userId)}`,
        patch,
      ),
    meetingFollowUps: (id: string) =>
      request<{ carriedOver: FollowUpDto[]; created: FollowUpDto[] }>(
        'GET',
        `/meetings/${encodeURIComponent(id)}/follow-ups`,
      ),
    createFollowUp: (meetingId: string, body: CreateFollowUpBody) =>
      request<FollowUpDto>('POST', `/meetings/${encodeURIComponent(meetingId)}/follow-ups`, body),
    updateFollowUp: (id: string, patch: UpdateFollowUpBody) =>
      request<FollowUpDto>('PATCH', `/follow-ups/${encodeURIComponent(id)}`, patch),
    addFollowUpNote: (id: string, body: FollowUpNoteBody) =>
      request<FollowUpDto>('POST', `/follow-ups/${encodeURIComponent(id)}/notes`, body),
    communityFollowUps: (communityId: string) =>
      request<FollowUpDto[]>('GET', `/communities/${encodeURIComponent(communityId)}/follow-ups`),
    publicBoard: (communityId: string) =>
      request<PublicBoardDto>('GET', `/public/communities/${encodeURIComponent(communityId)}/board`),
    publicDraw: (drawId: string) => request<PublicDrawDto>('GET', `/public/draws/${encodeURIComponent(drawId)}`),
    minutes: (meetingId: string) =>
      request<Minutes>('GET', `/meetings/${encodeURIComponent(meetingId)}/minutes`),
    charterDraftText: (meetingId: string, file: Blob) =>
      request<{ text: string }>(
        'POST',
        `/meetings/${encodeURIComponent(meetingId)}/charter/draft-text`,
        file,
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ),
    publishCharter: (meetingId: string) =>
      request<PublicCharterDto>('POST', `/meetings/${encodeURIComponent(meetingId)}/charter/publish`),
    updateSummary: (meetingId: string, summary: string | null) =>
      request<{ summary: string | null }>(
        'PUT',
        `/meetings/${encodeURIComponent(meetingId)}/summary`,
        { summary },
      ),
  };
}

/** What the public board (公示) shows: affiliations only, no personal names. */
export interface PublicBoardDto {
  community: { id: string; name: string };
  followUps: FollowUpDto[];
  /** Adopted charters the host published, newest first. */
  charters?: PublicCharterDto[];
  generatedAt: string;
}

export type Api = ReturnType<typeof createApi>;

/** The client for components (browser fetch). */
export const api: Api = createApi();

/** The message to show for anything a request threw. */
export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : m.error_unexpected();
}

/** Only same-site paths may be a post-login destination (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';
}

/** The login page that returns to `path` afterwards. */
export function loginUrl(path: string): string {
  return `/login?next=${encodeURIComponent(path)}`;
}

/** Rethrows a failed request inside a load function as a SvelteKit error page with the server's message. */
export function failLoad(cause: unknown): never {
  if (cause instanceof ApiError) error(cause.status >= 400 ? cause.status : 503, cause.message);
  throw cause;
}

/**
 * What a meeting page's load does with its request: no session → the login page (and back);
 * not allowed (403) → null, so the page explains instead of showing an error screen; anything
 * else failing → the error page.
 */
export async function loadForMember<T>(url: URL, request: () => Promise<T>): Promise<T | null> {
  try {
    return await request();
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401) redirect(307, loginUrl(url.pathname + url.search));
    if (cause instanceof ApiError && cause.status === 403) return null;
    failLoad(cause);
  }
}
