import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs; never log request bodies (they may hold passwords or, later, ballots). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'yishi' },
    redact: { paths: ['password', '*.password', 'choice', '*.choice', 'token', '*.token'], censor: '[redacted]' },
  });
}
