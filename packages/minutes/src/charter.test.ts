import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  SAMPLE_CHARTER_DRAFT,
  bindAdoptionPoll,
  bindAmendmentPoll,
  createCharter,
  decideAmendment,
  proposeAmendment,
  readCharter,
  recordAdoption,
  setClauseStatus,
  updateCharter,
  withdrawAmendment,
  type PollDto,
} from '@yishi/model';
import { buildMinutes, renderCharterDocx, renderDocx, renderMarkdown } from './index.ts';
import { scriptedMeeting } from './fixtures.ts';
import { docxPart, docxParagraphs } from './testing.ts';

const NEW_THIRD = '第三条 任何人不得在楼道、消防通道内堆放杂物，不得停放电动自行车或为其充电，违者由物业劝导清理。';

function motion(id: string, title: string, counts: { yes: number; no: number; abstain: number }): PollDto {
  return {
    id,
    meetingId: 'm1',
    kind: 'motion',
    title,
    options: [],
    secret: false,
    status: 'closed',
    rule: 'majority',
    turnout: { voted: counts.yes + counts.no + counts.abstain, eligible: 8 },
    result: { counts, passed: counts.yes > counts.no, quorumMet: true, ballots: counts.yes + counts.no + counts.abstain, eligible: 8, unanimousSmallGroup: false },
  };
}

/** The seeds' journey: one amendment accepted by vote, one withdrawn, clause 4 deferred, adopted. */
function deliberated() {
  const doc = new Y.Doc();
  createCharter(doc, { draft: SAMPLE_CHARTER_DRAFT });
  updateCharter(doc, { status: 'deliberating' });
  const clauses = readCharter(doc)!.clauses;
  const third = clauses[2]!.id;
  const voted = proposeAmendment(doc, third, { kind: 'replace', text: NEW_THIRD, byUserId: 'u1', byName: '王阿姨', at: 1 })!;
  const taken = proposeAmendment(doc, clauses[4]!.id, { kind: 'replace', text: '第五条 随便改改。', byUserId: 'u2', byName: '李师傅', at: 2 })!;
  withdrawAmendment(doc, clauses[4]!.id, taken, 'u2');
  bindAmendmentPoll(doc, third, voted, 'p-amend');
  decideAmendment(doc, third, voted, { outcome: 'accepted', votes: { yes: 6, no: 1, abstain: 1 } });
  clauses.forEach((c, i) => setClauseStatus(doc, c.id, i === 3 ? 'deferred' : 'agreed'));
  bindAdoptionPoll(doc, 'p-final');
  recordAdoption(doc, { passed: true, votes: { yes: 7, no: 0, abstain: 1 } });
  const polls = [motion('p-amend', '第3条修改意见', { yes: 6, no: 1, abstain: 1 }), motion('p-final', '通过规约全文', { yes: 7, no: 0, abstain: 1 })];
  return { charter: readCharter(doc)!, polls };
}

describe('the charter in the minutes', () => {
  it('records the adopted text, each clause’s history and the final vote', async () => {
    const { charter, polls } = deliberated();
    const base = scriptedMeeting();
    const minutes = buildMinutes({ ...base, polls: [...base.polls, ...polls], charter });
    expect(minutes.charter!.adoptedText).toHaveLength(5);
    expect(minutes.charter!.adoptedText[2]).toBe(NEW_THIRD);
    const md = renderMarkdown(minutes);
    expect(md).toMatch(/## [^\n]*规约逐条协商\n/);
    expect(md).toContain('- **全文表决**：通过（赞成 7，反对 0，弃权 1）');
    expect(md).toContain(`> ${NEW_THIRD}`);
    expect(md).not.toContain('> 第四条');
    expect(md).toContain('4. **搁置**');
    expect(md).toContain('王阿姨提出；采纳；赞成 6，反对 1，弃权 1');
    expect(md).toContain('李师傅提出；已撤回');

    const paragraphs = docxParagraphs(docxPart(await renderDocx(minutes), 'word/document.xml'));
    expect(paragraphs).toContain(NEW_THIRD);
    expect(paragraphs.some((p) => p.includes('王阿姨提出；采纳；赞成 6，反对 1，弃权 1'))).toBe(true);
  });

  it('exports the adopted text on its own as DOCX', async () => {
    const { charter, polls } = deliberated();
    const minutes = buildMinutes({ ...scriptedMeeting(), polls, charter });
    const bytes = await renderCharterDocx(minutes.charter!, { meetingTitle: minutes.title, date: minutes.date }, 'zh-CN');
    const paragraphs = docxParagraphs(docxPart(bytes, 'word/document.xml'));
    expect(paragraphs[0]).toBe('公共空间管理规约');
    expect(paragraphs).toContain(NEW_THIRD);
    expect(paragraphs.some((p) => p.startsWith('第四条'))).toBe(false);
    expect(paragraphs.filter((p) => p.startsWith('第'))).toHaveLength(5);
  });

  it('leaves the section out without a charter', () => {
    const minutes = buildMinutes(scriptedMeeting());
    expect(minutes.charter).toBeNull();
    expect(renderMarkdown(minutes)).not.toContain('规约逐条协商');
  });
});
