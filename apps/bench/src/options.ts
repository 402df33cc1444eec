import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SCENARIOS, type ScenarioName } from './results.ts';

/** How big each scenario is. */
export interface Sizes {
  fanout: { clients: number[]; rate: number; seconds: number; warmupSeconds: number };
  join: { clients: number; rounds: number };
  hostile: { clients: number; rate: number; seconds: number; warmupSeconds: number };
  rooms: { meetings: number; clientsPerMeeting: number; rate: number; seconds: number; warmupSeconds: number };
  votes: { voters: number; windowMs: number; duplicateShare: number };
  coldLoad: { updates: number; samples: number };
  minutes: { items: number; noteChars: number; polls: number; followUps: number; attendees: number; samples: number };
  ideas: { ideas: number; seconds: number };
  ranking: { households: number; buildings: number; projects: number; seconds: number; twiceShare: number; resultSamples: number };
  /**
   * Browser contexts per case; measured edits and unmeasured warm-up edits per case; the pause
   * between edits; seconds of the open pages' idle CPU, sampled before typing.
   */
  editorLatency: { contexts: number[]; samples: number; warmup: number; gapMs: [number, number]; idleSeconds: number };
}

/** The issue's numbers. */
export const FULL: Sizes = {
  fanout: { clients: [50, 200, 500], rate: 20, seconds: 30, warmupSeconds: 3 },
  join: { clients: 500, rounds: 3 },
  hostile: { clients: 20, rate: 10, seconds: 20, warmupSeconds: 2 },
  rooms: { meetings: 250, clientsPerMeeting: 20, rate: 1, seconds: 30, warmupSeconds: 3 },
  votes: { voters: 1000, windowMs: 1000, duplicateShare: 0.05 },
  coldLoad: { updates: 50_000, samples: 3 },
  minutes: { items: 40, noteChars: 20_000, polls: 10, followUps: 60, attendees: 20, samples: 10 },
  // The issue: 500 ideas in one minute; 2,150 households within 10 minutes (here: within 2).
  ideas: { ideas: 500, seconds: 60 },
  ranking: { households: 2150, buildings: 20, projects: 21, seconds: 120, twiceShare: 0.03, resultSamples: 20 },
  // Issue 11: 2 and 20 contexts; 200 edits 150–300 ms apart (≈ 45 s per case), a typist's pace.
  editorLatency: { contexts: [2, 20], samples: 200, warmup: 10, gapMs: [150, 300], idleSeconds: 5 },
};

/** Small numbers for CI: every path runs, nothing is measured seriously. */
export const QUICK: Sizes = {
  fanout: { clients: [10, 20], rate: 20, seconds: 2, warmupSeconds: 0.5 },
  join: { clients: 20, rounds: 1 },
  hostile: { clients: 4, rate: 10, seconds: 2, warmupSeconds: 0.5 },
  rooms: { meetings: 5, clientsPerMeeting: 4, rate: 2, seconds: 2, warmupSeconds: 0.5 },
  votes: { voters: 60, windowMs: 500, duplicateShare: 0.1 },
  coldLoad: { updates: 2_000, samples: 1 },
  minutes: { items: 40, noteChars: 20_000, polls: 3, followUps: 10, attendees: 6, samples: 2 },
  ideas: { ideas: 40, seconds: 4 },
  ranking: { households: 120, buildings: 4, projects: 21, seconds: 5, twiceShare: 0.1, resultSamples: 3 },
  // Two contexts only: twenty renderers would take the CI box's cores for minutes; every path still runs.
  editorLatency: { contexts: [2], samples: 15, warmup: 3, gapMs: [150, 300], idleSeconds: 1 },
};

export interface Options {
  quick: boolean;
  sizes: Sizes;
  only: ScenarioName[];
  /** Pass --cpu-prof to the server; profiles land in <out>/profiles. */
  cpuProf: boolean;
  /** Rebuild apps/server/dist before running (fast: one esbuild bundle). */
  build: boolean;
  workers: number;
  /** Where result files go. */
  out: string;
}

const schema = z.object({
  quick: z.boolean().default(false),
  only: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return [...SCENARIOS];
      const names = s.split(',').map((n) => n.trim());
      for (const n of names) {
        if (!(SCENARIOS as readonly string[]).includes(n)) {
          ctx.addIssue({ code: 'custom', message: `unknown scenario "${n}" (known: ${SCENARIOS.join(', ')})` });
        }
      }
      return SCENARIOS.filter((n) => names.includes(n));
    }),
  'cpu-prof': z.boolean().default(false),
  'no-build': z.boolean().default(false),
  workers: z.coerce.number().int().min(1).max(16).default(2),
  out: z.string().optional(),
});

export const USAGE = `usage: pnpm bench [--quick] [--only fanout,join,hostile,rooms,votes,coldLoad,minutes,ideas,ranking,firstLoad,editorLatency] [--cpu-prof] [--no-build] [--workers 2] [--out DIR]`;

/** Parses the command line; throws with a readable message on bad flags. */
export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'no-build': { type: 'boolean' },
      workers: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((i) => i.message).join('; ')}\n${USAGE}`);
  const o = parsed.data;
  return {
    quick: o.quick,
    sizes: o.quick ? QUICK : FULL,
    only: o.only,
    cpuProf: o['cpu-prof'],
    build: !o['no-build'],
    workers: o.workers,
    out: resolve(o.out ?? new URL('../results', import.meta.url).pathname),
  };
}
