import { describe, expect, it } from 'vitest';
import { computeDraw, DRAW_METHOD, type DrawDto } from '@yishi/model';
import { buildMinutes, escapeMarkdown, renderDocx, renderMarkdown } from './index.ts';
import { scriptedMeeting } from './fixtures.ts';
import { docxPart, docxParagraphs } from './testing.ts';

const VENUES = ['社区活动室', '党群服务中心', '小区广场', '物业会议室'];

function seededDraw(): DrawDto & { verifyUrl: string } {
  const seed = '3 8 1\n7';
  const out = computeDraw(VENUES, 2, seed);
  if (!out.ok) throw new Error('seed');
  return {
    id: 'd1',
    meetingId: 'm1',
    title: '议事会场地',
    entries: VENUES,
    winners: 2,
    seedSource: '11月21日福彩3D开奖号码，以及见证人掷的一次骰子',
    seed,
    key: out.draw.key,
    steps: out.draw.steps,
    result: out.draw.result,
    method: DRAW_METHOD,
    createdAt: '2025-11-20T12:00:00.000Z',
    seededAt: '2025-11-21T12:00:00.000Z',
    verifyUrl: 'https://yishi.example/d/d1',
  };
}

describe('draws in the minutes', () => {
  it('record each draw’s inputs, method and result, in Markdown and DOCX', async () => {
    const draw = seededDraw();
    const pending = { ...draw, id: 'd2', title: '车位抽签', seed: null, key: null, steps: null, result: null, seededAt: null, verifyUrl: 'https://yishi.example/d/d2' };
    const minutes = buildMinutes({ ...scriptedMeeting(), draws: [draw, pending] });
    expect(minutes.draws.map((d) => d.title)).toEqual(['议事会场地', '车位抽签']);

    const md = renderMarkdown(minutes);
    expect(md).toMatch(/## [^\n]*抽签\n/);
    expect(md).toContain('### 1\\. 议事会场地');
    expect(md).toContain('- **随机数来源**：11月21日福彩3D开奖号码，以及见证人掷的一次骰子');
    expect(md).toContain(`- **种子字符串**：${escapeMarkdown(draw.key!)}`);
    expect(md).toContain('- **方法**：RFC 3797：对种子字符串做 MD5，按编号不放回地依次抽出');
    expect(md).toContain(`- **结果（按抽出顺序）**：**${draw.result!.join('、')}**`);
    expect(md).toContain('- **公开核验**：https://yishi.example/d/d1');
    expect(md).toContain('1. 社区活动室\n2. 党群服务中心\n3. 小区广场\n4. 物业会议室');
    expect(md).toContain('- **随机数**：尚未公布随机数');
    // The section sits between the votes and the follow-ups.
    expect(md.indexOf('表决结果')).toBeLessThan(md.indexOf('议事会场地'));
    expect(md.indexOf('议事会场地')).toBeLessThan(md.indexOf('督办事项'));

    const paragraphs = docxParagraphs(docxPart(await renderDocx(minutes), 'word/document.xml'));
    expect(paragraphs).toContain('1. 议事会场地');
    expect(paragraphs).toContain(`结果（按抽出顺序）：${draw.result!.join('、')}`);
    expect(paragraphs).toContain('1. 社区活动室　2. 党群服务中心　3. 小区广场　4. 物业会议室');

    expect(renderMarkdown(buildMinutes({ ...scriptedMeeting(), draws: [draw] }, 'zh-TW'))).toContain('- **隨機數來源**：');
    expect(renderMarkdown(buildMinutes({ ...scriptedMeeting(), draws: [draw] }, 'en'))).toContain('- **Method**: RFC 3797: MD5 of the key string');
  });

  it('leave the section out, and every other heading as it was, when no lots were drawn', () => {
    const without = renderMarkdown(buildMinutes(scriptedMeeting()));
    expect(without).not.toMatch(/## [^\n]*抽签/);
    expect(renderMarkdown(buildMinutes({ ...scriptedMeeting(), draws: [] }))).toBe(without);
  });
});
