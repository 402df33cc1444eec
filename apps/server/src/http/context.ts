import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { Session, SessionUser } from '@yishi/auth';
import type { Locale } from '@yishi/model';
import type { ZodType } from 'zod';
import type { Deps } from '../deps.ts';
import type { RequestContext } from '../request.ts';
import { AppError } from '../errors.ts';

export interface AppEnv {
  /** @hono/node-server's bindings; absent when tests call app.request directly. */
  Bindings: { incoming?: IncomingMessage };
  Variables: {
    deps: Deps;
    user: SessionUser | null;
    session: Session | null;
    locale: Locale;
    /** Cookies, session token, language, address and Origin verdict, parsed once. */
    request: RequestContext;
  };
}

export type AppContext = Context<AppEnv>;

/** Parses and validates a JSON body; anything else is a 400 naming the fields at fault. */
export async function readBody<T>(c: AppContext, schema: ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new AppError('invalid_input');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => String(i.path[0] ?? '')).filter(Boolean);
    throw new AppError('invalid_input', {}, {}, fields);
  }
  return parsed.data;
}
