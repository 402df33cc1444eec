import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Session, SessionUser } from '@yishi/auth';
import type { Locale } from '@yishi/model';
import type { ZodType } from 'zod';
import type { Deps } from '../deps.ts';
import { AppError } from './errors.ts';

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: SessionUser | null;
    session: Session | null;
    locale: Locale;
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

/** The caller's address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(c: AppContext): string {
  const { config } = c.var.deps;
  if (config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
