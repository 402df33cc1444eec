import { z } from 'zod';

// In the browser, zod must not compile validators with `new Function`: the pages' Content-Security-
// Policy has no 'unsafe-eval', and zod's feature test alone (at schema construction) is reported as
// a violation. Imported first by index.ts, so it runs before any schema is built. The server keeps
// zod's compiled fast path.
if (typeof window !== 'undefined' || typeof self !== 'undefined') z.config({ jitless: true });
