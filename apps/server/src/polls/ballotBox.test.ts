import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { pollBallots, pollVoters, sql } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { createTestContext, joinedGuest, meetingWithHost, type TestClient, type TestContext } from '../testing.ts';
import { BallotBox, reconcileVotes } from './ballotBox.ts';
import { sealVote } from './receipts.ts';
import { castVote, closePoll, createPoll, getPoll, openPoll, vacuumBallots } from './service.ts';
import { createDeps } from '../deps.ts';

let ctx: TestContext;
beforeAll(async () => (ctx = await createTestContext()));
afterAll(() => ctx.dispose());

const token = (client: TestClient) => client.cookies.get('yishi_session')!;

/** Raw rows on either driver (postgres.js answers an array, PGlite an object with rows). */
async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await ctx.deps.db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A meeting whose host and `guests` guests are all eligible, with an open secret poll. */
async function openRoom(guests: number, options: string[]) {
  const { host, meeting } = await meetingWithHost(ctx.app);
  const voters = [{ client: host.client, userId: host.user.id }];
  for (let i = 0; i < guests; i++) voters.push(await joinedGuest(ctx.app, meeting.joinCode, `居民${i}`));
  const poll = await createPoll(ctx.deps, host.user.id, { meetingId: meeting.id, kind: 'choice', title: '方案', options, secret: true });
  await openPoll(ctx.deps, host.user.id, { pollId: poll.id, confirmSmallGroup: true });
  return { host, meeting, voters, pollId: poll.id };
}

describe(`ballot storage on ${testDriver}`, () => {
  it('no column, row order or xmin ties a ballot to its voter', async () => {
    const n = 30;
    const options = Array.from({ length: n }, (_, i) => `方案${i + 1}`);
    const { host, voters, pollId } = await openRoom(n - 1, options);
    // One batch of 30: voter i chooses option i, so the order of votes is known to the test.
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 60_000, maxBatch: n });
    const order = voters.map((_, i) => `o${i + 1}`);
    await Promise.all(voters.map((v, i) => castVote(ctx.deps, box, v.userId, token(v.client), { pollId, choice: order[i]! })));

    const ballots = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    expect(ballots).toHaveLength(n);
    const userIds = new Set(voters.map((v) => v.userId));
    for (const b of ballots) {
      expect(Object.keys(b).sort()).toEqual(['batchId', 'choice', 'id', 'pollId', 'receipt', 'receiptTag', 'sealed', 'voterId']);
      expect(b.voterId).toBeNull();
      // Sealed until close: neither the choice nor the receipt that will be published is readable.
      expect(b.choice).toBeNull();
      expect(b.receipt).toBeNull();
      expect(b.sealed!.length).toBeGreaterThan(28);
      for (const value of Object.values(b)) expect(userIds.has(String(value))).toBe(false);
    }
    const marks = await ctx.deps.db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId));
    expect(Object.keys(marks[0]!).sort()).toEqual(['batchId', 'pollId', 'sealedReceipt', 'state', 'userId']);
    expect(marks.every((m) => m.state === 'cast' && m.batchId === null)).toBe(true);

    // One length for 'o1'…'o9' and 'o10'…'o30' alike; random nonces: no two ciphertexts alike.
    expect(new Set(ballots.map((b) => b.sealed!.length)).size).toBe(1);
    expect(new Set(ballots.map((b) => Buffer.from(b.sealed!).toString('hex'))).size).toBe(n);
    const physical = await rows<{ x: string }>(sql`select xmin::text as x from poll_ballots where poll_id = ${pollId} order by ctid`);
    // Within a batch every ballot shares one transaction id.
    expect(new Set(physical.map((r) => r.x)).size).toBe(1);
    const markX = await rows<{ x: string }>(sql`select distinct xmin::text as x from poll_voters where poll_id = ${pollId}`);
    expect(markX).toHaveLength(1);
    expect(markX[0]!.x).not.toBe(physical[0]!.x);

    const closed = await closePoll(ctx.deps, box, host.user.id, { pollId });
    expect(closed.result).toMatchObject({ ballots: n, counts: Object.fromEntries(order.map((o) => [o, 1])) });
    const after = await rows<{ x: string; choice: string; batch: string | null }>(
      sql`select xmin::text as x, choice #>> '{}' as choice, batch_id as batch from poll_ballots where poll_id = ${pollId} order by ctid`,
    );
    expect(new Set(after.map((r) => r.x)).size).toBe(1);
    expect(after.every((r) => r.batch === null)).toBe(true);
    expect(after.map((r) => r.choice)).not.toEqual(order);
    // Marks were rewritten in the same closing transaction, their sealed receipts erased.
    const marksAfter = await rows<{ x: string; sealed: unknown }>(sql`select xmin::text as x, sealed_receipt as sealed from poll_voters where poll_id = ${pollId}`);
    expect(new Set(marksAfter.map((r) => r.x))).toEqual(new Set([after[0]!.x]));
    expect(marksAfter.every((r) => r.sealed === null)).toBe(true);
    await box.close();
  });

  it('batches share an xmin per batch, never one per voter', async () => {
    const { voters, pollId } = await openRoom(11, ['甲', '乙']);
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 60_000, maxBatch: 4 });
    await Promise.all(voters.map((v, i) => castVote(ctx.deps, box, v.userId, token(v.client), { pollId, choice: i % 2 ? 'o1' : 'o2' })));
    const perXmin = await rows<{ n: number }>(sql`select count(*)::int as n from poll_ballots where poll_id = ${pollId} group by xmin`);
    expect(perXmin.map((r) => r.n).sort()).toEqual([4, 4, 4]);
    await box.close();
  });

  it('startup reconciliation repairs a crash between any two steps without linking marks to ballots', async () => {
    const { voters, pollId } = await openRoom(4, ['甲', '乙']);
    const [a, b, c] = voters;
    const db = ctx.deps.db;
    // Crash after tx2 (ballots written, marks still pending): batch b1 holds a and b.
    await db.insert(pollVoters).values([
      { pollId, userId: a!.userId, state: 'pending', batchId: 'b1', sealedReceipt: sealVote(token(a!.client), pollId, a!.userId, 'AAAA2222', '"o1"') },
      { pollId, userId: b!.userId, state: 'pending', batchId: 'b1', sealedReceipt: sealVote(token(b!.client), pollId, b!.userId, 'BBBB3333', '"o2"') },
    ]);
    await db.insert(pollBallots).values([
      { id: 'x1', pollId, choice: 'o2', receipt: 'BBBB3333', batchId: 'b1' },
      { id: 'x2', pollId, choice: 'o1', receipt: 'AAAA2222', batchId: 'b1' },
    ]);
    // Crash after tx1 (mark pending, no ballot): batch b2 holds c.
    await db.insert(pollVoters).values({ pollId, userId: c!.userId, state: 'pending', batchId: 'b2', sealedReceipt: sealVote(token(c!.client), pollId, c!.userId, 'CCCC4444', '"o1"') });

    expect(await reconcileVotes(db)).toEqual({ cast: 2, dropped: 1 });
    const marks = await db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId));
    expect(marks.map((m) => [m.userId, m.state]).sort()).toEqual([[a!.userId, 'cast'], [b!.userId, 'cast']].sort());
    expect(await reconcileVotes(db)).toEqual({ cast: 0, dropped: 0 });

    const box = new BallotBox(db, ctx.deps.logger, { windowMs: 1 });
    // a never got an ack; retrying from the same session gets the receipt that was counted.
    expect(await castVote(ctx.deps, box, a!.userId, token(a!.client), { pollId, choice: 'o1' })).toBe('AAAA2222');
    await expect(castVote(ctx.deps, box, b!.userId, token(b!.client), { pollId, choice: 'o1' })).rejects.toMatchObject({ code: 'already_voted' });
    // c's vote never reached a ballot: c votes again, once.
    const receipt = await castVote(ctx.deps, box, c!.userId, token(c!.client), { pollId, choice: 'o2' });
    expect(receipt).toMatch(/^[2-9A-Z]{8}$/);
    const ballots = await db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    const cast = (await db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId))).filter((m) => m.state === 'cast');
    expect(ballots).toHaveLength(3);
    expect(cast).toHaveLength(3);
    await box.close();
  });

  it('a poll this process still holds open takes no vote once another process closed it', async () => {
    const { host, voters, pollId } = await openRoom(3, ['甲', '乙']);
    const [a, b, c] = voters;
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 1 });
    // The first vote makes this process keep the open poll and its eligible set in memory.
    await castVote(ctx.deps, box, a!.userId, token(a!.client), { pollId, choice: 'o1' });
    expect(await box.openPolls.get(pollId)).toMatchObject({ row: { status: 'open' } });
    const other = new BallotBox(ctx.deps.db, ctx.deps.logger);
    await closePoll(ctx.deps, other, host.user.id, { pollId, confirmUnanimous: true });

    await expect(castVote(ctx.deps, box, b!.userId, token(b!.client), { pollId, choice: 'o2' })).rejects.toMatchObject({ code: 'poll_not_open' });
    // Refused by the batch's own check; the poll is read afresh from then on.
    expect(await box.openPolls.get(pollId)).toBeNull();
    await expect(castVote(ctx.deps, box, c!.userId, token(c!.client), { pollId, choice: 'o2' })).rejects.toMatchObject({ code: 'poll_not_open' });
    expect(await ctx.deps.db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId))).toHaveLength(1);
    expect(await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId))).toHaveLength(1);
    await box.close();
    await other.close();
  });

  it('a batch whose poll closed before its ballots were written leaves no mark behind', async () => {
    const { host, voters, pollId } = await openRoom(2, ['甲', '乙']);
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 60_000, maxBatch: 100 });
    // Queued synchronously: the ballot box holds it until its window ends or it is flushed.
    const pending = box.cast({ pollId, userId: voters[1]!.userId, sessionToken: token(voters[1]!.client), choice: 'o1', choiceKey: '"o1"', named: false, seal: { key: ctx.deps.ballotKeys.key(pollId), length: 64 } });
    const other = new BallotBox(ctx.deps.db, ctx.deps.logger);
    // Another process closes the poll while this one still holds the vote in its queue.
    await closePoll(ctx.deps, other, host.user.id, { pollId });
    const flushed = box.flush();
    await expect(pending).rejects.toMatchObject({ code: 'poll_not_open' });
    await flushed;
    expect(await ctx.deps.db.select().from(pollVoters).where(eq(pollVoters.pollId, pollId))).toHaveLength(0);
    expect(await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId))).toHaveLength(0);
    await box.close();
    await other.close();
  });

  it('a changed server secret: votes and the close are refused, the poll stays open with its ballots, the original secret counts them', async () => {
    const { host, voters, pollId } = await openRoom(3, ['甲', '乙']);
    const [a, b, c] = voters;
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 1 });
    const ra = await castVote(ctx.deps, box, a!.userId, token(a!.client), { pollId, choice: 'o1' });
    const rb = await castVote(ctx.deps, box, b!.userId, token(b!.client), { pollId, choice: 'o2' });
    // The same database served by a process whose secret is another (lost, or rotated while open).
    const lost = createDeps({
      config: ctx.deps.config,
      database: ctx.database,
      logger: ctx.deps.logger,
      publicBaseUrl: ctx.deps.publicBaseUrl,
      secret: Buffer.from('a-different-secret-of-at-least-32-characters'),
    });
    const lostBox = new BallotBox(lost.db, lost.logger, { windowMs: 1 });
    await expect(castVote(lost, lostBox, c!.userId, token(c!.client), { pollId, choice: 'o1' })).rejects.toMatchObject({ code: 'ballot_key_lost', status: 503 });
    await expect(closePoll(lost, lostBox, host.user.id, { pollId })).rejects.toMatchObject({ code: 'ballot_key_lost' });
    expect(await getPoll(ctx.deps, pollId)).toMatchObject({ status: 'open', turnout: { voted: 2 } });
    const kept = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    expect(kept).toHaveLength(2);
    expect(kept.every((k) => k.sealed !== null && k.choice === null)).toBe(true);

    // A sealed ballot that does not open (tampered, or sealed under another key) stops the close the same way.
    const [first] = kept;
    const broken = Buffer.from(first!.sealed!);
    broken[broken.length - 1]! ^= 1;
    await ctx.deps.db.update(pollBallots).set({ sealed: broken }).where(eq(pollBallots.id, first!.id));
    await expect(closePoll(ctx.deps, box, host.user.id, { pollId })).rejects.toMatchObject({ code: 'ballot_key_lost' });
    expect(await getPoll(ctx.deps, pollId)).toMatchObject({ status: 'open' });
    await ctx.deps.db.update(pollBallots).set({ sealed: first!.sealed }).where(eq(pollBallots.id, first!.id));

    // With the original secret back, voting goes on and the close counts every ballot.
    const rc = await castVote(ctx.deps, box, c!.userId, token(c!.client), { pollId, choice: 'o1' });
    const closed = await closePoll(ctx.deps, box, host.user.id, { pollId });
    expect(closed.result).toMatchObject({ ballots: 3, counts: { o1: 2, o2: 1 } });
    expect(closed.receipts).toEqual([ra, rb, rc].sort());
    const opened = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, pollId));
    expect(opened.every((o) => o.sealed === null && o.receiptTag === null && o.choice !== null)).toBe(true);
    await box.close();
    await lostBox.close();
  });

  it('named polls are stored open, and vacuum runs outside a transaction on this driver', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app);
    const guest = await joinedGuest(ctx.app, meeting.joinCode, '记名');
    const poll = await createPoll(ctx.deps, host.user.id, { meetingId: meeting.id, kind: 'choice', title: '记名', options: ['甲', '乙'], secret: false });
    await openPoll(ctx.deps, host.user.id, { pollId: poll.id });
    const box = new BallotBox(ctx.deps.db, ctx.deps.logger, { windowMs: 1 });
    await castVote(ctx.deps, box, guest.userId, token(guest.client), { pollId: poll.id, choice: 'o2' });
    const [ballot] = await ctx.deps.db.select().from(pollBallots).where(eq(pollBallots.pollId, poll.id));
    expect(ballot).toMatchObject({ choice: 'o2', sealed: null, receiptTag: null, voterId: guest.userId });
    expect(await vacuumBallots(ctx.deps.db, ctx.deps.logger)).toBe(true);
    await box.close();
  });
});
