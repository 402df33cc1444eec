/** An HTTP error answer from the server, with the contract's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON client with a cookie jar, like a browser tab (one session). */
export class ApiClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** The Cookie header this client sends (for websocket and socket.io clients). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Sends a request and returns the raw response after storing its cookies. */
  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = pair.slice(eq + 1);
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return res;
  }

  /** Sends JSON, expects a 2xx JSON answer; throws ApiError otherwise. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(res.status, 'not_json', `${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, error?.code ?? 'http', `${method} ${path}: ${res.status} ${error?.code ?? ''} ${error?.message ?? text.slice(0, 200)}`);
    }
    return parsed as T;
  }
}

let accountSeq = 0;

/** A fresh account holder with a community: the host of the benchmark's meetings. */
export async function newHost(baseUrl: string): Promise<{ client: ApiClient; communityId: string }> {
  const client = new ApiClient(baseUrl);
  const username = `bench${Date.now().toString(36)}${accountSeq++}`;
  await client.json('POST', '/api/auth/signup', { username, password: 'bench correct horse battery', name: '李书记' });
  const community = await client.json<{ id: string }>('POST', '/api/communities', { name: '濱湖明珠社區' });
  return { client, communityId: community.id };
}

/** Creates a meeting as the host. */
export async function newMeeting(host: { client: ApiClient; communityId: string }, title: string): Promise<{ id: string; joinCode: string }> {
  return host.client.json('POST', '/api/meetings', { communityId: host.communityId, title, kind: 'building-talk' });
}

/** Joins a meeting as a new guest; returns the guest's cookie header and id. */
export async function joinAsGuest(baseUrl: string, joinCode: string, name: string): Promise<{ cookie: string; userId: string }> {
  const client = new ApiClient(baseUrl);
  const res = await client.json<{ userId: string }>('POST', '/api/join', { code: joinCode, name, affiliation: 'resident' });
  return { cookie: client.cookieHeader(), userId: res.userId };
}

/** Runs `task` for every item with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}
