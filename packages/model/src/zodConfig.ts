import { z } from 'zod';

// In the browser, zod must not compile validators with `new Function`: the pages' Content-Security-
// Policy has no 'unsafe-eval', and zod's feature test alone (at schema construction) is reported as
// a violation. Imported first by index.ts, so it runs before any schema is built. The server keeps
// zod's compiled fast path.
const scope = globalThis as { window?: unknown; self?: unknown };
if (scope.window !== undefined || scope.self !== undefined) z.config({ jitless: true });
