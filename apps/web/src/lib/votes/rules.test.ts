import { describe, expect, it } from 'vitest';
import type { PollDto } from '@yishi/model';
import { outcomeOf, resultRows } from './rules';

/** A closed Borda ranking, as the server sends it. */
function ranking(scores: Record<string, number>, labels: Record<string, string>): PollDto {
  const ids = Object.keys(scores);
  return {
    id: 'p1',
    meetingId: 'm1',
    kind: 'ranking',
    title: '微更新项目排序',
    options: ids.map((id) => ({ id, label: labels[id]! })),
    secret: true,
    status: 'closed',
    turnout: { voted: 4, eligible: 4 },
    result: { scores, order: ids, quorumMet: true, ballots: 4, eligible: 4, unanimousSmallGroup: false },
  } as unknown as PollDto;
}

describe('results on the board', () => {
  it('宠物粪便 and 高空抛物 on 3 points are both 3rd and marked tied, not 3rd and 4th', () => {
    const poll = ranking({ a: 7, b: 3, c: 3, d: 5 }, { a: '停车', b: '宠物粪便', c: '高空抛物', d: '绿化' });
    expect(resultRows(poll).map((r) => [r.label, r.value, r.place, r.tied])).toEqual([
      ['停车', 7, 1, false],
      ['绿化', 5, 2, false],
      ['宠物粪便', 3, 3, true],
      ['高空抛物', 3, 3, true],
    ]);
    expect(outcomeOf(poll)).toBe('排序结果：停车 › 绿化 › （并列第3：宠物粪便、高空抛物）');
  });

  it('a choice poll’s bars are sorted by votes', () => {
    const poll = { ...ranking({ a: 1, b: 4 }, { a: '周六', b: '周日' }), kind: 'choice', result: { counts: { a: 1, b: 4 }, quorumMet: true, ballots: 5, eligible: 5, unanimousSmallGroup: false } } as unknown as PollDto;
    expect(resultRows(poll).map((r) => r.label)).toEqual(['周日', '周六']);
  });
});
