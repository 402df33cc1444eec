import type { PollCreatePayload } from '@yishi/model';
import { docxParagraphs, docxPart } from '@yishi/minutes/testing';
import { mapLimit, newMeeting, type ApiClient } from '../api.ts';
import { connectLive, enterMeeting, facilitator, vote, type LiveSocket } from '../clients/voter.ts';
import { socketUnavailable, type BenchContext } from '../context.ts';
import { ResourceSampler } from '../procstat.ts';
import type { ResultRow, ScenarioResult } from '../results.ts';
import { appendUpdates, meetingDocument } from '../seed.ts';
import { summarize } from '../stats.ts';
import { guests, host } from './setup.ts';

const TARGET_MS = 500;
const TARGET = `DOCX export ≤ ${TARGET_MS} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The polls of the meeting: every kind, secret and named. */
function pollPlan(meetingId: string, count: number): PollCreatePayload[] {
  const kinds: PollCreatePayload[] = [
    { meetingId, kind: 'motion', title: '同意更新健身器材', rule: 'majority', secret: true },
    { meetingId, kind: 'election', title: '增補業委會委員', options: ['張三', '李四', '王五', '趙六', '孫七'], seats: 2, secret: true },
    { meetingId, kind: 'choice', title: '充電樁位置', options: ['東門', '北門', '地下車庫'], secret: false },
    { meetingId, kind: 'ranking', title: '微實事項目排序', options: ['文明養寵', '規範停車', '清理樓道雜物', '健身器材更新'], secret: false },
  ];
  return Array.from({ length: count }, (_, i) => ({ ...kinds[i % kinds.length]!, title: `${kinds[i % kinds.length]!.title}（${i + 1}）` }));
}

function choiceFor(poll: PollCreatePayload, voter: number): string | string[] {
  const ids = (poll.options ?? []).map((_, i) => `o${i + 1}`);
  if (poll.kind === 'motion') return (['yes', 'no', 'abstain'] as const)[voter % 3]!;
  if (poll.kind === 'choice') return ids[voter % ids.length]!;
  if (poll.kind === 'election') return [ids[voter % ids.length]!, ids[(voter + 1) % ids.length]!];
  return ids.map((_, i) => ids[(voter + i) % ids.length]!);
}

/** Runs `count` polls to the end through socket.io, with every attendee voting. */
async function runPolls(ctx: BenchContext, owner: ApiClient, meetingId: string, cookies: string[], count: number): Promise<number> {
  const chair = await connectLive(ctx.yishi.url, owner.cookieHeader());
  const voters: LiveSocket[] = [];
  try {
    await enterMeeting(chair, meetingId);
    for (const cookie of cookies) {
      const socket = await connectLive(ctx.yishi.url, cookie);
      voters.push(socket);
      await enterMeeting(socket, meetingId);
    }
    let closed = 0;
    for (const plan of pollPlan(meetingId, count)) {
      const poll = await facilitator.open(chair, (await facilitator.create(chair, plan)).id);
      await Promise.all(
        voters.map(async (socket, i) => {
          const ack = await vote(socket, poll.id, choiceFor(plan, i));
          if (!ack.ok) throw new Error(`poll:vote: ${ack.error.code} ${ack.error.message}`);
        }),
      );
      await facilitator.close(chair, poll.id, true);
      closed++;
      // The chair's socket has a token bucket (10 events/s): stay under it.
      await sleep(300);
    }
    return closed;
  } finally {
    chair.close();
    for (const socket of voters) socket.close();
  }
}

/** The DOCX minutes of a 3-hour meeting, through the HTTP route as the secretary would get them. */
export async function minutes(ctx: BenchContext): Promise<ScenarioResult> {
  const size = ctx.options.sizes.minutes;
  const owner = await host(ctx);
  // Probe on a meeting of its own: asking for minutes may load a document, which must not be the measured one.
  const empty = await newMeeting(owner, '紀要探測');
  const probe = await owner.client.raw('GET', `/api/meetings/${empty.id}/minutes.docx`);
  await probe.arrayBuffer();
  if (probe.status === 404) {
    return { scenario: 'minutes', status: 'unavailable', reason: 'GET /api/meetings/:id/minutes.docx answers 404 (the minutes route is not there yet)', target: TARGET, verdict: 'n/a', verdictNote: '', rows: [] };
  }
  const meeting = await newMeeting(owner, '四位一體聯席會（三小時）');
  const route = `/api/meetings/${meeting.id}/minutes.docx`;

  const attendees = await guests(ctx, meeting.joinCode, size.attendees);
  const document = meetingDocument(size.items, size.noteChars);
  await mapLimit(
    Array.from({ length: size.followUps }, (_, i) => i),
    4,
    (i) =>
      owner.client.json('POST', `/api/meetings/${meeting.id}/follow-ups`, {
        title: `督辦事項 ${i + 1}：清理三號樓樓道雜物並張貼告示`,
        ownerAffiliation: (['property', 'committee', 'party', 'resident'] as const)[i % 4],
        ownerName: i % 2 ? '物業劉經理' : null,
        dueDate: `2025-12-${String((i % 28) + 1).padStart(2, '0')}`,
        agendaItemId: document.itemIds[i % document.itemIds.length],
      }),
  );
  const socketReason = await socketUnavailable(ctx.yishi.url);
  const polls = socketReason ? 0 : await runPolls(ctx, owner.client, meeting.id, attendees.map((a) => a.cookie), size.polls);
  // Last, because the server may load the document as soon as anything asks for it.
  await ctx.withDatabase((db) => appendUpdates(db, meeting.id, [document.update]));

  const times: number[] = [];
  let bytes = 0;
  let body = new Uint8Array();
  const sampler = new ResourceSampler(ctx.yishi.pid);
  for (let i = 0; i < size.samples; i++) {
    const started = performance.now();
    const res = await owner.client.raw('GET', route);
    body = new Uint8Array(await res.arrayBuffer());
    times.push(performance.now() - started);
    if (res.status !== 200 || body[0] !== 0x50 || body[1] !== 0x4b) {
      throw new Error(`GET ${route}: ${res.status} ${res.headers.get('content-type')} ${new TextDecoder().decode(body.slice(0, 200))}`);
    }
    bytes = body.length;
  }
  const usage = sampler.stop();
  // A fast export of an empty meeting proves nothing: the seeded notes and follow-ups must be in it.
  const text = docxParagraphs(docxPart(body, 'word/document.xml')).join('\n');
  const missing = [`議題 ${size.items}`, '王樓長反映', `督辦事項 ${size.followUps}`].filter((needle) => !text.includes(needle));
  const row: ResultRow = {
    case: `${size.items} items, ${size.noteChars} chars, ${polls} polls, ${size.followUps} follow-ups`,
    server: 'yishi',
    latency: summarize(times),
    usage,
    extra: { firstMs: Math.round(times[0]! * 10) / 10, bytes, polls, ...(socketReason ? { pollsSkipped: socketReason } : {}) },
  };
  const worst = Math.max(...times);
  const notes: string[] = [];
  if (missing.length) notes.push(`the export lacks ${missing.join(', ')}`);
  if (polls !== size.polls) notes.push(`only ${polls} of ${size.polls} polls (${socketReason ?? 'socket.io failed'})`);
  if (!(worst <= TARGET_MS)) notes.push(`slowest export ${Math.round(worst)} ms > ${TARGET_MS} ms`);
  return {
    scenario: 'minutes',
    status: 'ok',
    target: TARGET,
    verdict: notes.length ? 'missed' : 'met',
    verdictNote: notes.length ? notes.join('; ') : `slowest of ${size.samples} exports ${Math.round(worst)} ms (first ${row.extra.firstMs} ms)`,
    rows: [row],
  };
}
