// Export time of the minutes of a three-hour meeting (40 items, ~20,000 characters of notes,
// 10 polls, 60 follow-ups): model + DOCX, and model + Markdown. Run: npx tsx scripts/bench.ts [runs]
import { performance } from 'node:perf_hooks';
import { buildMinutes, renderDocx, renderMarkdown } from '../src/index.ts';
import { longMeeting } from '../src/fixtures.ts';

const runs = Number(process.argv[2] ?? 20);
const input = longMeeting();
const noteChars = input.doc!.items.reduce((sum, item) => sum + JSON.stringify(item.notes).replace(/[^\u4e00-\u9fff]/g, '').length, 0);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function measure(name: string, task: () => Promise<number>): Promise<void> {
  await task(); // warm-up: module and JIT costs are not what a secretary waits for on the 2nd click
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    size = await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(9)} p50 ${quantile(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${quantile(times, 0.95).toFixed(1).padStart(6)} ms   ${(size / 1024).toFixed(0)} KiB`);
}

console.log(`${input.doc!.items.length} items, ${noteChars} Han characters of notes, ${input.polls.length} polls, ${input.followUps.created.length} follow-ups; ${runs} runs`);
await measure('docx', async () => (await renderDocx(buildMinutes(input))).byteLength);
await measure('markdown', async () => renderMarkdown(buildMinutes(input)).length);
