import { describe, expect, it } from 'vitest';
import { tallyOwners, type PollDto } from '@yishi/model';
import { buildMinutes, renderDocx, renderMarkdown } from './index.ts';
import { scriptedMeeting } from './fixtures.ts';
import { docxPart, docxParagraphs } from './testing.ts';

/** DOMAIN.md's worked example, closed: 张 yes, 李 no, 王 yes (two units), the developer absent. */
function ownersPoll(matter: 'ordinary' | 'major'): PollDto {
  const ballots = [
    { choice: 'yes' as const, area: 8950, heads: 1, paper: false },
    { choice: 'no' as const, area: 12025, heads: 1, paper: true },
    { choice: 'yes' as const, area: 20975, heads: 1, paper: false },
  ];
  return {
    id: `o-${matter}`,
    meetingId: 'm1',
    kind: 'owners',
    title: matter === 'major' ? '使用维修资金更换电梯（摸底）' : '东门加装道闸（摸底）',
    options: [
      { id: 'yes', label: '赞成' },
      { id: 'no', label: '反对' },
      { id: 'abstain', label: '弃权' },
    ],
    matter,
    register: { totalArea: 60950, totalHeads: 4 },
    paperBallots: 1,
    secret: true,
    status: 'closed',
    turnout: { voted: 2, eligible: 2 },
    receipts: [],
    result: { ...tallyOwners(ballots, { matter, totalArea: 60950, totalHeads: 4 }), ballots: 3, eligible: 2, unanimousSmallGroup: false },
  };
}

describe("owners' polls in the minutes", () => {
  it('show the double count side by side, labelled a straw poll, in Markdown and DOCX', async () => {
    const input = scriptedMeeting();
    const minutes = buildMinutes({ ...input, polls: [ownersPoll('ordinary'), ownersPoll('major')] });
    const [ordinary, major] = minutes.polls;
    expect(ordinary!.double!.rows).toEqual([
      ['赞成', '299.25（71.33%）', '2（66.67%）'],
      ['反对', '120.25（28.67%）', '1（33.33%）'],
      ['弃权', '0.00（0.00%）', '0（0.00%）'],
      ['参与表决', '419.50 / 609.50（68.83%）', '3 / 4（75.00%）'],
    ]);
    expect(ordinary!.outcome.code).toBe('passed');
    expect(ordinary!.outcome.text).toContain('其中纸质票 1 张');
    expect(major!.outcome.code).toBe('failed');
    expect(major!.rule).toContain('四分之三');

    const md = renderMarkdown(minutes);
    expect(md).toContain('**摸底表决（非业主大会决议）**');
    expect(md).toContain('| 参与表决 | 419\\.50 / 609.50（68.83%） | 3 / 4（75.00%） |');
    const text = docxParagraphs(docxPart(await renderDocx(minutes), 'word/document.xml')).join('\n');
    expect(text).toContain('摸底表决（非业主大会决议）');
    expect(text).toContain('419.50 / 609.50（68.83%）');
  });

  it('say so when participation fell short of two thirds, in English too', () => {
    const poll = ownersPoll('ordinary');
    const result = tallyOwners([{ choice: 'yes', area: 8950, heads: 1, paper: false }], { matter: 'ordinary', totalArea: 60950, totalHeads: 4 });
    const minutes = buildMinutes({ ...scriptedMeeting(), polls: [{ ...poll, result: { ...result, ballots: 1, eligible: 2, unanimousSmallGroup: false } }] }, 'en');
    expect(minutes.polls[0]!.outcome).toMatchObject({ code: 'quorum-not-met', text: 'Less than two thirds of the floor area or of the owners took part: no decision' });
    expect(minutes.polls[0]!.double!.header).toEqual(['', 'Floor area (m²)', 'Owners']);
  });
});
