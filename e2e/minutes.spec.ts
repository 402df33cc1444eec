import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { artifact, expect, test } from './fixtures.ts';

// Issue 6: the secretary writes the closing summary and exports the minutes as DOCX, Markdown and PDF.

const TITLE = '十一月楼长有话说';
const SUMMARY = '本次会议围绕楼道杂物清理达成一致，由物业牵头落实。';
const FOLLOW_UP = '更换5号楼单元门禁';

test('the secretary edits the summary and exports the minutes as DOCX, Markdown and a PDF with Chinese text', async ({
  page,
  browser,
  baseURL,
}) => {
  const username = `mn${Date.now().toString(36)}`;

  const { meetingId, code } = await test.step('the host sets up the meeting; its document gets the 樓長有話說 agenda', async () => {
    expect(
      (
        await page.request.post('/api/auth/signup', {
          data: { username, password: 'binhu-mingzhu-2025', name: '李书记' },
        })
      ).status(),
    ).toBe(201);
    const community = await (await page.request.post('/api/communities', { data: { name: '滨湖明珠社区' } })).json();
    const meeting = await (
      await page.request.post('/api/meetings', {
        data: {
          communityId: community.id,
          title: TITLE,
          kind: 'building-talk',
          startsAt: '2025-11-20T11:30:00.000Z',
          location: '社区党群服务中心二楼',
        },
      })
    ).json();
    await page.goto(`/m/${meeting.id}`);
    // Opening the live document seeds it with the agenda template of the kind (what the editor does).
    await page.evaluate(
      (id) =>
        new Promise<void>((done, fail) => {
          const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/yjs/${id}`);
          ws.onmessage = () => {
            ws.close();
            done();
          };
          ws.onerror = () => fail(new Error('yjs connection failed'));
        }),
      meeting.id as string,
    );
    const followUp = await page.request.post(`/api/meetings/${meeting.id}/follow-ups`, {
      data: { title: FOLLOW_UP, ownerAffiliation: 'property', dueDate: '2099-12-31' },
    });
    expect(followUp.status()).toBe(201);
    return { meetingId: meeting.id as string, code: meeting.joinCode as string };
  });

  const tablet = await browser.newContext({
    baseURL,
    viewport: { width: 1024, height: 768 },
    locale: 'zh-CN',
    hasTouch: true,
  });
  const secretary = await tablet.newPage();

  await test.step('a plain participant is told the minutes are for the host and secretary', async () => {
    await secretary.goto(`/join/${code}`);
    await secretary.getByTestId('join-name').fill('陈记录');
    await secretary.getByRole('radio', { name: '社工' }).click();
    await secretary.getByTestId('join-submit').click();
    await expect(secretary.getByTestId('meeting-title')).toHaveText(TITLE);
    await expect(secretary.getByTestId('minutes-link')).toHaveCount(0);
    await secretary.goto(`/m/${meetingId}/minutes`);
    await expect(secretary.getByTestId('minutes-forbidden')).toBeVisible();
  });

  await test.step('the host makes 陈记录 secretary; the room links to the minutes', async () => {
    const roster = await (await page.request.get(`/api/meetings/${meetingId}/participants`)).json();
    const chen = roster.find((p: { name: string }) => p.name === '陈记录');
    const patch = await page.request.patch(`/api/meetings/${meetingId}/participants/${chen.userId}`, {
      data: { role: 'secretary' },
    });
    expect(patch.status()).toBe(200);
    await secretary.goto(`/m/${meetingId}`);
    await secretary.getByTestId('minutes-link').click();
    await expect(secretary).toHaveURL(`${baseURL}/m/${meetingId}/minutes`);
  });

  await test.step('the preview shows every part of the minutes', async () => {
    const doc = secretary.getByTestId('minutes-document');
    await expect(secretary.getByTestId('minutes-title')).toHaveText(`${TITLE} 会议纪要`);
    await expect(doc).toContainText('楼长有话说');
    await expect(doc).toContainText('2025年11月20日');
    await expect(doc).toContainText('社区党群服务中心二楼');
    await expect(secretary.getByTestId('minutes-attendance')).toContainText('陈记录');
    // The stored document may still be on its way to the database: re-read until the agenda is in.
    await expect(async () => {
      await secretary.reload();
      await expect(secretary.getByTestId('minutes-item').first()).toBeVisible({ timeout: 1000 });
    }).toPass();
    await expect(secretary.getByTestId('minutes-agenda')).toContainText('各楼栋反映问题');
    await expect(secretary.getByTestId('minutes-fu-created')).toContainText(FOLLOW_UP);
    await expect(secretary.getByTestId('minutes-signatures')).toContainText('主持人签字');
  });

  await test.step('the secretary writes the closing summary', async () => {
    await secretary.getByTestId('summary-input').fill(SUMMARY);
    await secretary.getByTestId('summary-save').click();
    await expect(secretary.getByTestId('summary-status')).toHaveText('已保存');
    await expect(secretary.getByTestId('minutes-summary')).toContainText(SUMMARY);
    await secretary.reload();
    await expect(secretary.getByTestId('summary-input')).toHaveValue(SUMMARY);
  });

  await test.step('one click downloads the DOCX and the Markdown', async () => {
    const [docx] = await Promise.all([
      secretary.waitForEvent('download'),
      secretary.getByTestId('minutes-docx').click(),
    ]);
    expect(docx.suggestedFilename()).toBe(`会议纪要-${TITLE}-2025-11-20.docx`);
    const docxFile = artifact('minutes.docx');
    await docx.saveAs(docxFile);
    expect(statSync(docxFile).size).toBeGreaterThan(5000);
    expect(readFileSync(docxFile).subarray(0, 2).toString('latin1')).toBe('PK');
    const body = execFileSync('unzip', ['-p', docxFile, 'word/document.xml']).toString('utf8');
    for (const text of [TITLE, '各楼栋反映问题', SUMMARY, FOLLOW_UP]) expect(body).toContain(text);

    const [md] = await Promise.all([
      secretary.waitForEvent('download'),
      secretary.getByTestId('minutes-md').click(),
    ]);
    expect(md.suggestedFilename()).toBe(`会议纪要-${TITLE}-2025-11-20.md`);
    const mdFile = artifact('minutes.md');
    await md.saveAs(mdFile);
    const markdown = readFileSync(mdFile, 'utf8');
    expect(markdown.startsWith(`# ${TITLE} 会议纪要`)).toBe(true);
    for (const text of ['各楼栋反映问题', SUMMARY, FOLLOW_UP, '主持人签字']) expect(markdown).toContain(text);
  });

  await test.step('screenshots at tablet, phone and projector sizes', async () => {
    await secretary.screenshot({ path: artifact('minutes-1024x768.png'), fullPage: true });
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1920, height: 1080 },
    ]) {
      await secretary.setViewportSize(viewport);
      await secretary.screenshot({ path: artifact(`minutes-${viewport.width}x${viewport.height}.png`), fullPage: true });
      expect(
        await secretary.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        `no horizontal scroll at ${viewport.width}px`,
      ).toBe(true);
    }
    await secretary.setViewportSize({ width: 1024, height: 768 });
  });

  await test.step('the print view renders to a PDF with the Chinese text and no UI chrome', async () => {
    await secretary.emulateMedia({ media: 'print' });
    await expect(secretary.getByTestId('minutes-docx')).toBeHidden();
    await expect(secretary.locator('.site-header')).toBeHidden();
    await secretary.screenshot({ path: artifact('minutes-print.png'), fullPage: true });
    const pdfFile = artifact('minutes.pdf');
    await secretary.pdf({ path: pdfFile, format: 'A4', printBackground: true });
    const text = execFileSync('pdftotext', [pdfFile, '-']).toString('utf8');
    // pdftotext may break lines inside a run of CJK text; compare without whitespace.
    const flat = text.replace(/\s+/g, '');
    for (const part of [`${TITLE}会议纪要`, '各楼栋反映问题', SUMMARY, FOLLOW_UP, '主持人签字'])
      expect(flat, `the PDF contains ${part}`).toContain(part);
    for (const chrome of ['下载Word', '返回会议', '保存小结']) expect(flat).not.toContain(chrome);
  });

  await tablet.close();
});
