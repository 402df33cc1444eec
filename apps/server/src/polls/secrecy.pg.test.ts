import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@yishi/db';
import { scaleEnvReady } from '../scale/testing.ts';
import { createTestContext, joinedGuest, meetingWithHost, type TestClient, type TestContext } from '../testing.ts';
import { BallotBox } from './ballotBox.ts';
import { castVote, closePoll, createPoll, openPoll } from './service.ts';

// Issue 12: a secret poll read by someone with SQL access to the database, while it is open and
// after it closed. Ten voters vote about 300 ms apart, so every batch is a batch of one: the case
// in which xmin adjacency and row order link each ballot row to its voter's mark.
const VOTERS = 10;
const GAP_MS = 300;
const CHOICES = ['yes', 'no', 'abstain'] as const;

if (scaleEnvReady(['DATABASE_URL'])) {
  let ctx: TestContext;
  let box: BallotBox;
  let pollId: string;
  let hostId: string;
  const cast: { userId: string; choice: (typeof CHOICES)[number]; receipt: string }[] = [];

  /** Raw rows (postgres.js answers an array). */
  async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
    return (await ctx.deps.db.execute(query)) as unknown as T[];
  }

  /** Attribute numbers of a table's columns, for reading raw tuples. */
  async function attnums(table: string): Promise<Record<string, number>> {
    const r = await rows<{ attname: string; attnum: number }>(
      sql`select attname, attnum::int from pg_attribute where attrelid = ${table}::regclass and attnum > 0 and not attisdropped`,
    );
    return Object.fromEntries(r.map((a) => [a.attname, a.attnum]));
  }

  /**
   * Every row version physically on the table's pages (live, dead or not yet vacuumed) that
   * belongs to our poll, with which of the named columns it holds a value for.
   */
  async function rowVersions(table: 'poll_ballots' | 'poll_voters', columns: string[]) {
    const n = await attnums(table);
    const has = columns.map((c) => sql.raw(`h.t_attrs[${n[c]}] is not null as "${c}"`));
    return rows<Record<string, boolean> & { xmin: string; xmax: string }>(sql`
      select h.t_xmin::text as xmin, h.t_xmax::text as xmax, ${sql.join(has, sql`, `)}
      from generate_series(0, (pg_relation_size(${table}::regclass) / current_setting('block_size')::int)::int - 1) as p(blk),
        lateral heap_page_item_attrs(get_raw_page(${table}, p.blk), ${table}::regclass) as h
      where h.t_attrs is not null and position(convert_to(${pollId}, 'UTF8') in h.t_attrs[${sql.raw(String(n.poll_id))}]) > 0`);
  }

  async function pageinspect(): Promise<boolean> {
    try {
      await ctx.deps.db.execute(sql`create extension if not exists pageinspect`);
      return true;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    ctx = await createTestContext();
    const { host, meeting } = await meetingWithHost(ctx.app);
    hostId = host.user.id;
    const voters: { client: TestClient; userId: string }[] = [{ client: host.client, userId: host.user.id }];
    for (let i = 1; i < VOTERS; i++) voters.push(await joinedGuest(ctx.app, meeting.joinCode, `住户${i}`));
    const poll = await createPoll(ctx.deps, hostId, { meetingId: meeting.id, kind: 'motion', title: '是否续聘物业', secret: true });
    pollId = poll.id;
    await openPoll(ctx.deps, hostId, { pollId });
    // The production batching window: with votes 300 ms apart every batch holds one ballot.
    box = new BallotBox(ctx.deps.db, ctx.deps.logger);
    for (const [i, v] of voters.entries()) {
      const choice = CHOICES[i % CHOICES.length]!;
      const receipt = await castVote(ctx.deps, box, v.userId, v.client.cookies.get('yishi_session')!, { pollId, choice });
      cast.push({ userId: v.userId, choice, receipt });
      await sleep(GAP_MS);
    }
  }, 60_000);
  afterAll(async () => {
    await box?.close();
    await ctx?.dispose();
  });

  describe('a secret poll read with SQL on PostgreSQL', () => {
    it('while open: who voted and how many, and no choice or receipt in any row', async () => {
      const marks = await rows<{ user_id: string; state: string }>(sql`select user_id, state from poll_voters where poll_id = ${pollId}`);
      expect(marks.map((m) => m.user_id).sort()).toEqual(cast.map((c) => c.userId).sort());
      const ballots = await rows<{ id: string; choice: unknown; receipt: string | null; len: number; hex: string; x: string }>(
        sql`select id, choice, receipt, length(sealed)::int as len, encode(sealed, 'hex') as hex, xmin::text as x
            from poll_ballots where poll_id = ${pollId} order by ctid`,
      );
      expect(ballots).toHaveLength(VOTERS);
      // No plaintext column: choice and receipt are empty, only ciphertext is there.
      expect(ballots.every((b) => b.choice === null && b.receipt === null)).toBe(true);
      // 赞成, 反对 and 弃权 seal to one length, and no two ciphertexts are alike (random nonces).
      expect(new Set(ballots.map((b) => b.len)).size).toBe(1);
      expect(new Set(ballots.map((b) => b.hex)).size).toBe(VOTERS);
      // The receipts voters hold (published at close next to their ballots) appear nowhere yet.
      const everything = await rows<{ t: string }>(
        sql`select row_to_json(b)::text as t from poll_ballots b where poll_id = ${pollId}
            union all select row_to_json(v)::text from poll_voters v where poll_id = ${pollId}`,
      );
      for (const { receipt } of cast) expect(everything.some((r) => r.t.includes(receipt))).toBe(false);
      for (const choice of CHOICES) expect(everything.some((r) => r.t.includes(`"${choice}"`))).toBe(false);

      // The linking attack of issue 12 still links rows (batches of one): xmin adjacency from each
      // ballot's transaction to the next voter-mark transaction. What it links is ciphertext.
      const markX = await rows<{ user_id: string; x: string }>(sql`select user_id, xmin::text as x from poll_voters where poll_id = ${pollId}`);
      const next = (x: string) =>
        markX.filter((m) => BigInt(m.x) > BigInt(x)).sort((a, b) => (BigInt(a.x) < BigInt(b.x) ? -1 : 1))[0]?.user_id;
      const linked = new Set(ballots.map((b) => next(b.x)).filter(Boolean)).size;
      console.info(`[secrecy] xmin adjacency links ${linked} of ${VOTERS} ballot rows to one voter each; every linked row is ciphertext only`);

      // The raw pages hold the sealed versions with their batch ids (what VACUUM must remove after close).
      if (await pageinspect()) {
        const versions = await rowVersions('poll_ballots', ['choice', 'batch_id', 'sealed']);
        expect(versions.length).toBeGreaterThanOrEqual(VOTERS);
        expect(versions.every((v) => v.sealed && v.batch_id && !v.choice)).toBe(true);
      }
    });

    it('after close: the tally is right, rows hold plaintext only without batch or voter', async () => {
      const closed = await closePoll(ctx.deps, box, hostId, { pollId });
      const expected = Object.fromEntries(CHOICES.map((c) => [c, cast.filter((v) => v.choice === c).length]));
      expect(closed.result).toMatchObject({ ballots: VOTERS, counts: expected });
      expect(closed.receipts).toEqual(cast.map((c) => c.receipt).sort());
      const ballots = await rows<{ choice: string; batch_id: string | null; voter_id: string | null; sealed: unknown; tag: unknown; x: string }>(
        sql`select choice #>> '{}' as choice, batch_id, voter_id, sealed, receipt_tag as tag, xmin::text as x from poll_ballots where poll_id = ${pollId}`,
      );
      expect(ballots).toHaveLength(VOTERS);
      expect(ballots.every((b) => b.batch_id === null && b.voter_id === null && b.sealed === null && b.tag === null)).toBe(true);
      expect(new Set(ballots.map((b) => b.x)).size).toBe(1);
    });

    it('after close and VACUUM: pageinspect finds no row version with a plaintext choice next to a batch or voter', async (t) => {
      if (!(await pageinspect())) t.skip('the pageinspect extension is not available on this PostgreSQL server (contrib not installed)');
      const ballots = await rowVersions('poll_ballots', ['choice', 'receipt', 'batch_id', 'voter_id', 'sealed']);
      // Only the closing rewrite's versions are left: the sealed, batch-wise ones were vacuumed away.
      expect(ballots).toHaveLength(VOTERS);
      expect(new Set(ballots.map((b) => b.xmin)).size).toBe(1);
      for (const b of ballots) {
        expect(b).toMatchObject({ xmax: '0', choice: true, receipt: true, batch_id: false, voter_id: false, sealed: false });
      }
      const marks = await rowVersions('poll_voters', ['batch_id', 'sealed_receipt']);
      expect(marks).toHaveLength(VOTERS);
      expect(marks.every((m) => !m.batch_id && !m.sealed_receipt && m.xmax === '0')).toBe(true);
      expect(new Set(marks.map((m) => m.xmin))).toEqual(new Set([ballots[0]!.xmin]));
    });
  });
}

// Issue 12, "no better than chance over repeated runs": after close, an attacker who knows the order
// in which people voted (the room saw it) guesses that the k-th ballot row — by physical order
// (ctid) or by id — is the k-th voter's. Over many polls the hits must stay at what a random
// guess gets; without the closing shuffle every guess would hit (voters here vote one at a time).
if (scaleEnvReady(['DATABASE_URL'])) {
  const RUNS = 20;
  describe('linking after close, over repeated polls on PostgreSQL', () => {
    let ctx: TestContext;
    let box: BallotBox;
    beforeAll(async () => {
      ctx = await createTestContext();
      box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 2 });
    });
    afterAll(async () => {
      await box?.close();
      await ctx?.dispose();
    });

    it(`row order and ids predict choices no better than chance (${RUNS} polls × ${VOTERS} voters)`, async () => {
      const { host, meeting } = await meetingWithHost(ctx.app);
      const voters: { client: TestClient; userId: string }[] = [{ client: host.client, userId: host.user.id }];
      for (let i = 1; i < VOTERS; i++) voters.push(await joinedGuest(ctx.app, meeting.joinCode, `住户${i}`));
      const hits = { ctid: 0, id: 0 };
      let chance = 0;
      for (let run = 0; run < RUNS; run++) {
        const poll = await createPoll(ctx.deps, host.user.id, { meetingId: meeting.id, kind: 'motion', title: `第${run + 1}次`, secret: true });
        await openPoll(ctx.deps, host.user.id, { pollId: poll.id });
        // One at a time, in a random order, with random choices: each ballot its own batch.
        const order = [...voters].sort(() => Math.random() - 0.5);
        const choices: string[] = [];
        for (const v of order) {
          const choice = CHOICES[Math.floor(Math.random() * CHOICES.length)]!;
          await castVote(ctx.deps, box, v.userId, v.client.cookies.get('yishi_session')!, { pollId: poll.id, choice });
          choices.push(choice);
        }
        await closePoll(ctx.deps, box, host.user.id, { pollId: poll.id });
        const byCtid = (await ctx.deps.db.execute(sql`select choice #>> '{}' as c from poll_ballots where poll_id = ${poll.id} order by ctid`)) as unknown as { c: string }[];
        const byId = (await ctx.deps.db.execute(sql`select choice #>> '{}' as c from poll_ballots where poll_id = ${poll.id} order by id`)) as unknown as { c: string }[];
        hits.ctid += byCtid.filter((b, k) => b.c === choices[k]).length;
        hits.id += byId.filter((b, k) => b.c === choices[k]).length;
        // A random guess hits, at each position, with the share of ballots that made that choice.
        for (const c of choices) chance += choices.filter((x) => x === c).length / choices.length;
      }
      const guesses = RUNS * VOTERS;
      // Four standard deviations of a binomial around the chance expectation (≈ 1/3 per guess).
      const p = chance / guesses;
      const bound = 4 * Math.sqrt(guesses * p * (1 - p));
      console.info(`[secrecy] after close, ${guesses} guesses: ctid order ${hits.ctid}, id order ${hits.id}, chance ${chance.toFixed(1)} ± ${bound.toFixed(1)}`);
      expect(Math.abs(hits.ctid - chance)).toBeLessThan(bound);
      expect(Math.abs(hits.id - chance)).toBeLessThan(bound);
    }, 120_000);
  });
}
