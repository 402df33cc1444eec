import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildMinutes, contentDisposition, escapeMarkdown, minutesFileName, renderDocx, renderMarkdown } from './index.ts';
import { scriptedMeeting } from './fixtures.ts';
import { docxPart, docxParagraphs } from './testing.ts';

describe('buildMinutes', () => {
  const minutes = buildMinutes(scriptedMeeting());

  it('has the meeting facts in China time and in Chinese', () => {
    expect(minutes).toMatchObject({
      heading: '会议纪要',
      title: '11月楼长有话说',
      kindLabel: '楼长有话说',
      isoDate: '2025-11-20',
      date: '2025年11月20日（星期四）',
      time: '19:30',
      place: '社区活动室',
      community: '滨湖明珠社区',
      hosts: ['李书记'],
      secretaries: ['社工小陈'],
      summary: ['本次会议议定三项事项。', '物业于12月15日前反馈进展。'],
      signatures: ['主持人签字', '记录人签字', '日期'],
    });
    expect(buildMinutes(scriptedMeeting(), 'zh-TW').signatures).toEqual(['主持人簽字', '記錄人簽字', '日期']);
  });

  it('says whether the minutes are final (定稿, with the time) and records each reopening', async () => {
    expect(minutes.record).toEqual({ final: false, status: '草稿，尚未定稿', reopenings: [] });
    const input = scriptedMeeting();
    input.meeting.finalizedAt = '2025-11-20T14:05:00.000Z';
    input.meeting.reopenings = [{ at: '2025-11-20T13:50:00.000Z', byName: '李书记', reason: '补充议定事项' }];
    const final = buildMinutes(input);
    expect(final.record).toEqual({
      final: true,
      status: '定稿（2025年11月20日（星期四） 22:05）',
      reopenings: ['2025年11月20日（星期四） 21:50，李书记：补充议定事项'],
    });
    const markdown = renderMarkdown(final);
    expect(markdown).toContain('- **纪要状态**：定稿（2025年11月20日（星期四） 22:05）');
    expect(markdown).toContain('- **重新打开**：2025年11月20日（星期四） 21:50，李书记：补充议定事项');
    const paragraphs = docxParagraphs(docxPart(await renderDocx(final), 'word/document.xml'));
    expect(paragraphs).toContain('纪要状态：定稿（2025年11月20日（星期四） 22:05）');
    expect(buildMinutes(input, 'en').record.status).toBe('Final (Thursday, 2025-11-20 22:05)');
  });

  it('counts only present members by affiliation and lists observers apart', () => {
    expect(minutes.attendance.total).toBe(6);
    expect(minutes.attendance.groups.map((g) => [g.label, g.count])).toEqual([
      ['党组织', 1],
      ['业委会', 1],
      ['物业', 1],
      ['居民/楼长', 2],
      ['社工', 1],
    ]);
    expect(minutes.attendance.observers).toEqual(['投影']);
    expect(JSON.stringify(minutes.attendance)).not.toContain('缺席的孙楼长');
  });

  it('reads each agenda item with its rich notes and decision', () => {
    const [first, second] = minutes.items;
    expect(first).toMatchObject({ index: 1, title: '文明养宠', presenter: '王楼长', minutes: 15, statusLabel: '已完成' });
    // Written as an H2, it is the note's top heading.
    expect(first!.notes[0]).toEqual({ type: 'heading', level: 1, content: [{ text: '居民反映' }] });
    expect(first!.notes[1]).toMatchObject({ type: 'list', ordered: false });
    expect(first!.decision[0]).toMatchObject({ type: 'list', ordered: true, start: 1 });
    expect(second!.statusLabel).toBe('讨论中');
  });

  it('states each poll with rule, quorum, turnout, counts and outcome; drafts left out', () => {
    expect(minutes.polls.map((p) => p.title)).toEqual(['是否设立临时停车位', '选举楼道长', '微更新项目排序', '活动时间']);
    const [motion, election, ranking, choice] = minutes.polls;
    expect(motion).toMatchObject({
      ballotLabel: '不记名投票',
      rule: '赞成票达到投票总数（含弃权）的三分之二即通过',
      quorum: '投票人数须达到有表决权人数的 50%',
      turnout: { voted: 5, eligible: 5 },
      agendaItemTitle: '规范停车',
      outcome: { code: 'passed', text: '通过' },
      votes: [],
    });
    expect(motion!.rows).toEqual([
      { label: '赞成', value: 4 },
      { label: '反对', value: 1 },
      { label: '弃权', value: 0 },
    ]);
    expect(election).toMatchObject({ ballotLabel: '记名投票', outcome: { code: 'elected', text: '当选：王楼长' } });
    expect(election!.votes).toContainEqual({ name: '物业刘经理', choice: '张阿姨' });
    expect(ranking!.outcome.text).toBe('排序结果：1. 健身器材、2. 充电桩');
    expect(choice!.outcome).toEqual({ code: 'quorum-not-met', text: '投票人数未达法定人数，结果不成立' });
  });

  it('an election with rules says why a candidate was passed over and what is left for a further round', () => {
    const input = scriptedMeeting();
    const election = input.polls.find((p) => p.kind === 'election')!;
    election.seats = 2;
    election.result = {
      ...election.result!,
      elected: ['o1'],
      unfilled: 1,
      notes: [
        { code: 'rule', option: 'o2', group: 'party', need: 1, seatsLeft: 0 },
        { code: 'rule-open', group: 'party', need: 1, seats: 1 },
      ],
    } as typeof election.result;
    const shown = buildMinutes(input).polls.find((p) => p.title === '选举楼道长')!;
    expect(shown.outcome.text).toBe('当选：王楼长；张阿姨 依次递补时跳过：若当选，剩下 0 个名额不足以再选出 1 名党员；尚余 1 个名额另行选举，其中至少 1 名党员');
  });

  it('a ranking with equal scores marks the tie in the result and the Markdown, never ordering it silently', () => {
    const input = scriptedMeeting();
    const ranking = input.polls.find((p) => p.kind === 'ranking')!;
    ranking.options = [
      { id: 'o1', label: '健身器材' },
      { id: 'o2', label: '宠物粪便' },
      { id: 'o3', label: '高空抛物' },
    ];
    ranking.result = { ...ranking.result!, scores: { o1: 5, o2: 3, o3: 3 }, order: ['o1', 'o2', 'o3'] } as typeof ranking.result;
    const tied = buildMinutes(input).polls.find((p) => p.title === '微更新项目排序')!;
    expect(tied.rows).toEqual([
      { label: '健身器材', value: 5, rank: 1 },
      { label: '宠物粪便', value: 3, rank: 2, mark: 'tie' },
      { label: '高空抛物', value: 3, rank: 2, mark: 'tie' },
    ]);
    expect(tied.outcome.text).toBe('排序结果：1. 健身器材、2=. 宠物粪便、2=. 高空抛物；同分并列，不分先后：宠物粪便、高空抛物');
    expect(renderMarkdown(buildMinutes(input))).toContain('| 2 | 宠物粪便（并列） | 3 |');
  });

  it('English minutes use English punctuation; Chinese ones Chinese', () => {
    const en = renderMarkdown(buildMinutes(scriptedMeeting(), 'en'));
    expect(en).toMatch(/- \*\*Kind\*\*: /);
    expect(en).not.toMatch(/\*\*[A-Za-z ]+\*\*：/);
    expect(renderMarkdown(buildMinutes(scriptedMeeting()))).toMatch(/- \*\*类型\*\*：|- \*\*[\u4e00-\u9fff]+\*\*：/);
  });

  it('lists follow-ups with owner, due date, status and the latest progress', () => {
    expect(minutes.followUps.created[0]).toMatchObject({ title: '张贴文明养宠倡议', owner: '业委会 · 业委会赵主任', dueDate: '2025-12-15', statusLabel: '待办' });
    expect(minutes.followUps.carriedOver[0]).toMatchObject({ overdue: true, statusLabel: '推进中', latestNote: { date: '2025-11-11', body: '已采购灯具，下周安装' } });
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(buildMinutes(scriptedMeeting()));

  it('carries headings, lists and bold, and tables for attendance, polls and follow-ups', () => {
    expect(md).toMatch(/^# 11月楼长有话说 会议纪要\n/);
    for (const heading of ['## 一、出席情况', '## 二、会议议程', '## 三、表决结果', '## 四、督办事项', '## 五、会议小结', '## 六、签字']) expect(md).toContain(`\n${heading}\n`);
    expect(md).toContain('\n#### 居民反映\n'); // a level-2 note heading nests under the item's ###
    expect(md).toContain('\n- 遛狗**不牵绳**问题突出\n');
    expect(md).toContain('物业表示***将加强巡查***。');
    expect(md).toContain('\n1. 张贴文明养宠倡议\n2. 设立宠物便溺箱\n');
    expect(md).toContain('| 类别 | 人数 | 名单 |\n| --- | --- | --- |\n| 党组织 | 1 | 李书记 |');
    expect(md).toContain('| 选项 | 票数 |\n| --- | --- |\n| 赞成 | 4 |');
    expect(md).toContain('| 王楼长（当选） | 2 |');
    expect(md).toContain('| 事项 | 责任方 | 期限 | 状态 |');
    expect(md).toContain('| 更换3栋楼道灯 | 物业 | 2025-11-01（已逾期） | 推进中 | 2025-11-11 已采购灯具，下周安装 |');
    expect(md).toContain('主持人签字：');
    expect(md).toContain('记录人签字：');
  });

  it('escapes user text so it never becomes markup or HTML', () => {
    expect(md).toContain('\\<script\\>alert(1)\\</script\\> \\*\\*不是粗体\\*\\* \\| 1. 不是列表 # 不是标题');
    expect(md).not.toContain('<script>');
  });

  it('never shows how anyone voted in a secret poll', () => {
    const secretSection = md.slice(md.indexOf('### 1\\. 是否设立临时停车位'), md.indexOf('### 2\\. 选举楼道长'));
    expect(secretSection).not.toContain('王楼长');
    expect(md).toContain('| 物业刘经理 | 张阿姨 |');
  });

  it('escapeMarkdown leaves no active markup characters', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const escaped = escapeMarkdown(s);
        // Every markup character is preceded by a backslash that is itself not escaped.
        expect(escaped.replace(/\\[\s\S]/g, '')).not.toMatch(/[<>&*_`[\]|~\\]/);
      }),
    );
  });
});

describe('renderDocx', () => {
  it('writes real Word structure: A4, CJK font, title centred, headings, numbered lists, header-row tables', async () => {
    const bytes = await renderDocx(buildMinutes(scriptedMeeting()));
    const xml = docxPart(bytes, 'word/document.xml');
    const styles = docxPart(bytes, 'word/styles.xml');
    const numbering = docxPart(bytes, 'word/numbering.xml');
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(styles).toContain('w:eastAsia="SimSun"');
    expect(styles).toMatch(/w:eastAsia="zh-CN"/);
    expect(xml).toMatch(/<w:pStyle w:val="Title"\/><w:jc w:val="center"\/>/);
    expect(xml).toContain('<w:pStyle w:val="Heading1"/>');
    expect(xml).toContain('<w:pStyle w:val="Heading3"/>'); // the note's own heading, under the item's Heading2
    expect(xml).toContain('<w:tblHeader/>');
    expect(xml).toContain('<w:numPr>');
    expect(numbering).toContain('w:val="decimal"');
    expect(numbering).toContain('w:val="bullet"');
    const paragraphs = docxParagraphs(xml);
    for (const text of ['11月楼长有话说', '会议纪要', '一、出席情况', '1. 文明养宠', '遛狗不牵绳问题突出', '结果：通过', '本次会议议定三项事项。']) {
      expect(paragraphs).toContain(text);
    }
    for (const label of ['主持人签字：', '记录人签字：', '日期：']) expect(paragraphs.some((p) => p.startsWith(label))).toBe(true);
    // Bold survives as a bold run.
    expect(xml).toMatch(/<w:r><w:rPr><w:b\/><w:bCs\/><\/w:rPr><w:t xml:space="preserve">不牵绳<\/w:t><\/w:r>/);
    expect(xml).not.toMatch(/<w:t[^>]*>[^<]*<script/); // text is escaped by the XML writer
    expect(xml).toContain('&lt;script&gt;');
  });
});

describe('file names', () => {
  it('are the document name, title and date, safe for any file system, UTF-8 in the header', () => {
    const minutes = { ...buildMinutes(scriptedMeeting()), title: '11/20 "楼长"\n有话说' };
    const name = minutesFileName(minutes, 'docx');
    expect(name).toBe('会议纪要-11 20 楼长 有话说-2025-11-20.docx');
    const header = contentDisposition(name);
    expect(header).toMatch(/^attachment; filename="minutes\.docx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe(name);
  });
});
