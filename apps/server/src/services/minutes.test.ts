import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docUpdates } from '@yishi/db';
import { testDriver } from '@yishi/db/testing';
import { createAgendaItem, sortedItems } from '@yishi/model';
import { SUMMARY_MAX, type Minutes } from '@yishi/minutes';
import { docxParagraphs, docxPart, docxToPdf, libreOfficeMissing } from '@yishi/minutes/testing';
import { BallotBox } from '../polls/ballotBox.ts';
import { castVote, closePoll, createPoll, openPoll } from '../polls/service.ts';
import { TestClient, createTestContext, joinedGuest, meetingWithHost, type TestContext } from '../testing.ts';

let ctx: TestContext;
let box: BallotBox;
beforeAll(async () => {
  ctx = await createTestContext();
  box = new BallotBox(ctx.deps.db, ctx.deps.logger);
});
afterAll(async () => {
  await box.close();
  await ctx.dispose();
});

const VOTERS = ['王樓長', '張阿姨', '趙大爺', '物業劉經理', '業委會周主任'];

/** A rich-text paragraph element holding text runs with optional marks. */
function paragraph(...runs: [string, Record<string, unknown>?][]): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  let at = 0;
  for (const [s, marks] of runs) {
    text.insert(at, s, marks ?? {});
    at += s.length;
  }
  p.insert(0, [text]);
  return p;
}

/** The agenda with notes holding a heading, a bullet list and bold text, as Tiptap would store them. */
function writeAgenda(doc: Y.Doc): { parking: string } {
  const pets = createAgendaItem(doc, { title: '文明養寵', presenter: '王樓長', minutes: 15, status: 'done' });
  const parking = createAgendaItem(doc, { title: '規範停車', presenter: '物業劉經理', minutes: 20, status: 'done' });
  createAgendaItem(doc, { title: '清理樓道雜物', minutes: 10 });
  const item = sortedItems(doc).find((i) => i.get('id') === pets)!;
  const heading = new Y.XmlElement('heading');
  heading.setAttribute('level', 2 as unknown as string);
  heading.insert(0, [new Y.XmlText('居民反映的問題')]);
  const list = new Y.XmlElement('bulletList');
  // Built before it joins the document: a detached type's length cannot be read yet.
  const items = ([[['3棟電梯內寵物便溺']], [['遛狗'], ['不牽繩', { bold: true }], ['現象突出']]] as [string, Record<string, unknown>?][][]).map((runs) => {
    const li = new Y.XmlElement('listItem');
    li.insert(0, [paragraph(...runs)]);
    return li;
  });
  list.insert(0, items);
  (item.get('notes') as Y.XmlFragment).insert(0, [heading, list, paragraph(['物業承諾'], ['每日巡查兩次', { bold: true }])]);
  (item.get('decision') as Y.XmlFragment).insert(0, [paragraph(['設立寵物便溺箱', { bold: true }])]);
  return { parking };
}

interface Scene {
  meetingId: string;
  host: TestClient;
  secretary: TestClient;
  resident: TestClient;
  observer: TestClient;
}

/** A whole meeting: roster, document, a secret and a named poll, follow-ups old and new, a summary. */
async function scriptedMeeting(): Promise<Scene> {
  const { host, communityId, meeting } = await meetingWithHost(ctx.app);
  const id = meeting.id;
  expect((await host.client.patch(`/api/meetings/${id}`, { startsAt: '2025-11-20T19:30:00+08:00' })).status).toBe(200);

  const secretary = await joinedGuest(ctx.app, meeting.joinCode, '記錄員小陳', 'social-work');
  await host.client.patch(`/api/meetings/${id}/participants/${secretary.userId}`, { role: 'secretary' });
  const affiliations: Record<string, string> = { 王樓長: 'resident', 張阿姨: 'resident', 趙大爺: 'resident', 物業劉經理: 'property', 業委會周主任: 'committee' };
  const voters: Record<string, { client: TestClient; userId: string }> = {};
  for (const name of VOTERS) voters[name] = await joinedGuest(ctx.app, meeting.joinCode, name, affiliations[name]);
  const observer = await joinedGuest(ctx.app, meeting.joinCode, '投影儀', 'other');
  await host.client.patch(`/api/meetings/${id}/participants/${observer.userId}`, { role: 'observer' });
  const absent = await joinedGuest(ctx.app, meeting.joinCode, '請假的孫樓長', 'resident');
  await host.client.patch(`/api/meetings/${id}/participants/${absent.userId}`, { present: false });

  // The document as the Yjs layer logs it: one row per update.
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const { parking } = writeAgenda(doc);
  await ctx.deps.db.insert(docUpdates).values(updates.map((u) => ({ meetingId: id, update: Buffer.from(u) })));

  // A secret motion (everyone votes) and a named election, run through the real poll service.
  const hostId = host.user.id;
  const motion = await createPoll(ctx.deps, hostId, { meetingId: id, kind: 'motion', title: '是否劃定臨時停車位', rule: 'majority', quorum: 0.5, secret: true, agendaItemId: parking });
  await openPoll(ctx.deps, hostId, { pollId: motion.id });
  const secretChoices: Record<string, string> = { 王樓長: 'yes', 張阿姨: 'no', 趙大爺: 'abstain', 物業劉經理: 'yes', 業委會周主任: 'yes' };
  for (const [name, choice] of Object.entries(secretChoices)) {
    await castVote(ctx.deps, box, voters[name]!.userId, `token-${name}`, { pollId: motion.id, choice });
  }
  await closePoll(ctx.deps, box, hostId, { pollId: motion.id });

  const election = await createPoll(ctx.deps, hostId, { meetingId: id, kind: 'election', title: '推選樓道長', options: ['周師傅', '錢阿姨'], seats: 1, secret: false });
  await openPoll(ctx.deps, hostId, { pollId: election.id });
  await castVote(ctx.deps, box, voters['王樓長']!.userId, 't1', { pollId: election.id, choice: ['o1'] });
  await castVote(ctx.deps, box, voters['張阿姨']!.userId, 't2', { pollId: election.id, choice: ['o2'] });
  await castVote(ctx.deps, box, secretary.userId, 't3', { pollId: election.id, choice: ['o1'] });
  await closePoll(ctx.deps, box, hostId, { pollId: election.id });

  // An open follow-up from an earlier meeting of the community, and two made in this one.
  const earlier = await host.client.post('/api/meetings', { communityId, title: '10月樓長有話說', kind: 'building-talk' });
  const old = await host.client.post(`/api/meetings/${earlier.json.id}/follow-ups`, { title: '更換3棟樓道燈', ownerAffiliation: 'property', dueDate: '2020-01-31' });
  await host.client.post(`/api/follow-ups/${old.json.id}/notes`, { body: '已採購燈具，下週安裝', status: 'in-progress' });
  const manager = voters['物業劉經理']!;
  expect((await voters['王樓長']!.client.post(`/api/meetings/${id}/follow-ups`, { title: '施劃臨時停車線', ownerAffiliation: 'property', ownerUserId: manager.userId, dueDate: '2025-12-15', agendaItemId: parking })).status).toBe(201);
  expect((await secretary.client.post(`/api/meetings/${id}/follow-ups`, { title: '張貼文明養寵倡議', ownerAffiliation: 'committee' })).status).toBe(201);

  const summary = await secretary.client.request('PUT', `/api/meetings/${id}/summary`, { summary: '本次會議議定兩項事項。\n物業於12月15日前回報進展。' });
  expect(summary.status).toBe(200);
  return { meetingId: id, host: host.client, secretary: secretary.client, resident: voters['王樓長']!.client, observer: observer.client };
}

/** The part of a text between two markers (a poll's section). */
function between(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(to, start);
  return text.slice(start, end < 0 ? undefined : end);
}

/** What every format must say about the scripted meeting, in Chinese. */
const EVERY_PART = [
  '11月樓長有話說',
  '会议纪要',
  '楼长有话说',
  '2025年11月20日（星期四） 19:30',
  '社區活動室',
  '濱湖明珠社區',
  '李书记',
  '記錄員小陳',
  '出席情况',
  '共 7 人出席',
  '居民/楼长',
  '王樓長、張阿姨、趙大爺',
  '列席/旁听',
  '投影儀',
  '文明養寵',
  '汇报人',
  '15 分钟',
  '居民反映的問題',
  '3棟電梯內寵物便溺',
  '是否劃定臨時停車位',
  '不记名投票',
  '赞成票多于反对票即通过',
  '投票人数须达到有表决权人数的 50%',
  '应投 7 人，实投 5 人',
  '通过',
  '推選樓道長',
  '当选：周師傅',
  '记名投票明细',
  '施劃臨時停車線',
  '物业 · 物業劉經理',
  '2025-12-15',
  '上次事项推进',
  '更換3棟樓道燈',
  '已採購燈具，下週安裝',
  '本次會議議定兩項事項。',
  '主持人签字',
  '记录人签字',
];

describe(`minutes of a scripted meeting (${testDriver})`, () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await scriptedMeeting();
  }, 120_000);

  it('the JSON model has every part, and no individual choice of the secret poll', async () => {
    const res = await scene.secretary.get(`/api/meetings/${scene.meetingId}/minutes`);
    expect(res.status).toBe(200);
    const minutes = res.json as Minutes;
    expect(minutes).toMatchObject({ title: '11月樓長有話說', kindLabel: '楼长有话说', isoDate: '2025-11-20', time: '19:30', hosts: ['李书记'], secretaries: ['記錄員小陳'] });
    expect(minutes.attendance.total).toBe(7);
    expect(minutes.attendance.observers).toEqual(['投影儀']);
    expect(JSON.stringify(minutes)).not.toContain('請假的孫樓長');
    expect(minutes.items.map((i) => i.title)).toEqual(['文明養寵', '規範停車', '清理樓道雜物']);
    const [secret, named] = minutes.polls;
    expect(secret).toMatchObject({ secret: true, agendaItemTitle: '規範停車', turnout: { voted: 5, eligible: 7 }, outcome: { code: 'passed' }, votes: [] });
    expect(secret!.rows).toEqual([
      { label: '赞成', value: 3 },
      { label: '反对', value: 1 },
      { label: '弃权', value: 1 },
    ]);
    expect(named!.votes).toEqual(
      expect.arrayContaining([
        { name: '王樓長', choice: '周師傅' },
        { name: '張阿姨', choice: '錢阿姨' },
      ]),
    );
    expect(minutes.followUps.carriedOver.map((f) => f.title)).toEqual(['更換3棟樓道燈']);
    expect(minutes.followUps.created.map((f) => f.title).sort()).toEqual(['張貼文明養寵倡議', '施劃臨時停車線']);
  });

  it('Markdown: every part in Chinese, rich notes carried, secret choices nowhere', async () => {
    const res = await scene.host.get(`/api/meetings/${scene.meetingId}/minutes.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const disposition = res.headers.get('content-disposition')!;
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!)).toBe('会议纪要-11月樓長有話說-2025-11-20.md');
    const md = res.json as string;
    for (const part of EVERY_PART) expect(md, part).toContain(part);
    expect(md).toContain('\n#### 居民反映的問題\n');
    expect(md).toContain('\n- 遛狗**不牽繩**現象突出\n');
    expect(md).toContain('物業承諾**每日巡查兩次**');
    const secretSection = between(md, '是否劃定臨時停車位', '推選樓道長');
    for (const name of VOTERS) expect(secretSection).not.toContain(name);
  });

  it('DOCX: a valid Word document with every part, structured, secret choices nowhere', async () => {
    const res = await scene.secretary.request('GET', `/api/meetings/${scene.meetingId}/minutes.docx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(decodeURIComponent(res.headers.get('content-disposition')!.split("filename*=UTF-8''")[1]!)).toBe('会议纪要-11月樓長有話說-2025-11-20.docx');
    const bytes = await docxBytes(scene.secretary, scene.meetingId);
    const xml = docxPart(bytes, 'word/document.xml');
    const text = docxParagraphs(xml).join('\n');
    for (const part of EVERY_PART) expect(text, part).toContain(part);
    expect(xml).toContain('<w:tblHeader/>');
    expect(xml).toContain('<w:numPr>');
    expect(xml).toContain('<w:pStyle w:val="Heading3"/>');
    expect(xml).toMatch(/<w:b\/><w:bCs\/><\/w:rPr><w:t xml:space="preserve">不牽繩<\/w:t>/);
    for (const name of VOTERS) expect(between(text, '是否劃定臨時停車位', '推選樓道長')).not.toContain(name);
  });

  it('DOCX converts to PDF with LibreOffice and the Chinese text survives', async () => {
    const missing = libreOfficeMissing();
    if (missing) {
      if (process.env.CI === 'true') throw new Error(missing);
      console.warn(`SKIPPED the LibreOffice check: ${missing}`);
      return;
    }
    const { pdf, text } = await docxToPdf(await docxBytes(scene.secretary, scene.meetingId));
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
    // LibreOffice spaces Latin from Han characters (11 月), so compare without whitespace.
    const flat = text.replace(/\s+/g, '');
    for (const part of EVERY_PART) expect(flat, part).toContain(part.replace(/\s+/g, ''));
  }, 240_000);

  it('only the host and the secretary get the minutes', async () => {
    for (const path of ['minutes', 'minutes.md', 'minutes.docx']) {
      expect((await scene.resident.get(`/api/meetings/${scene.meetingId}/${path}`)).status).toBe(403);
      expect((await scene.observer.get(`/api/meetings/${scene.meetingId}/${path}`)).status).toBe(403);
      const anonymous = await new TestClient(ctx.app).get(`/api/meetings/${scene.meetingId}/${path}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json.error.message).toBe('请先登录。');
      expect((await scene.host.get(`/api/meetings/nosuchmeeting/${path}`)).status).toBe(404);
    }
  });

  it('picks the language from ?locale= and refuses an unknown one', async () => {
    const tw = await scene.host.get(`/api/meetings/${scene.meetingId}/minutes.md?locale=zh-TW`);
    expect(tw.status).toBe(200);
    expect(tw.json).toContain('會議紀要');
    expect(tw.json).toContain('記錄人簽字');
    const bad = await scene.host.get(`/api/meetings/${scene.meetingId}/minutes.md?locale=klingon`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_input', message: '输入有误，请检查：语言' });
  });

  it('the closing summary: host or secretary, capped, bad input changes nothing', async () => {
    const path = `/api/meetings/${scene.meetingId}/summary`;
    expect((await scene.resident.request('PUT', path, { summary: '改掉' })).status).toBe(403);
    const tooLong = await scene.secretary.request('PUT', path, { summary: '字'.repeat(SUMMARY_MAX + 1) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ code: 'invalid_input', message: '输入有误，请检查：会议小结' });
    expect((await scene.secretary.request('PUT', path, { summary: 42 })).status).toBe(400);
    expect((await scene.secretary.request('PUT', path, '{not json')).status).toBe(400);
    let minutes = (await scene.host.get(`/api/meetings/${scene.meetingId}/minutes`)).json as Minutes;
    expect(minutes.summary).toEqual(['本次會議議定兩項事項。', '物業於12月15日前回報進展。']);

    const longest = await scene.host.request('PUT', path, { summary: '长'.repeat(SUMMARY_MAX) });
    expect(longest.status).toBe(200);
    expect((await scene.host.request('PUT', path, { summary: null })).json).toEqual({ summary: null });
    minutes = (await scene.host.get(`/api/meetings/${scene.meetingId}/minutes`)).json as Minutes;
    expect(minutes.summary).toEqual([]);
  });
});

describe(`minutes of an empty meeting (${testDriver})`, () => {
  it('still export: no document, polls or follow-ups yet', async () => {
    const { host, meeting } = await meetingWithHost(ctx.app, 'salon');
    const md = await host.client.get(`/api/meetings/${meeting.id}/minutes.md`);
    expect(md.status).toBe(200);
    expect(md.json).toContain('## 二、会议议程\n\n无');
    const docx = await host.client.get(`/api/meetings/${meeting.id}/minutes.docx`);
    expect(docx.status).toBe(200);
    const minutes = (await host.client.get(`/api/meetings/${meeting.id}/minutes`)).json as Minutes;
    expect(minutes).toMatchObject({ items: [], polls: [], followUps: { carriedOver: [], created: [] }, time: null });
  });
});

/** The DOCX bytes of a meeting's minutes, fetched over the API (TestClient reads bodies as text). */
async function docxBytes(client: TestClient, meetingId: string): Promise<Uint8Array> {
  const res = await ctx.app.request(`/api/meetings/${meetingId}/minutes.docx`, { headers: { cookie: client.cookieHeader() } });
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}
