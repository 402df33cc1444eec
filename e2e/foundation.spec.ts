import { formatJoinCode } from '@yishi/model';
import { artifact, expect, test } from './fixtures.ts';

// Issue 2: a community worker sets up a meeting; a resident joins from a tablet without an account.
test('sign up, create a community and a meeting, a guest joins, the host assigns a role', async ({
  page,
  browser,
  baseURL,
}) => {
  const username = `host${Date.now().toString(36)}`;

  await test.step('sign up (a weak password is refused with the server message)', async () => {
    await page.goto('/signup');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('姓名').fill('李书记');
    await page.getByLabel('密码').fill('short');
    await page.getByTestId('auth-submit').click();
    await expect(page.getByTestId('error')).toHaveText('密码需要 8 到 256 个字符。');
    await page.getByLabel('密码').fill('binhu-mingzhu-2025');
    await page.getByTestId('auth-submit').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('你好，李书记');
  });

  await test.step('create the community 滨湖明珠社区', async () => {
    await page.getByTestId('community-name').fill('滨湖明珠社区');
    await page.getByRole('button', { name: '创建社区' }).click();
    await expect(page.getByRole('heading', { level: 3, name: '滨湖明珠社区' })).toBeVisible();
  });

  await test.step('create a 樓長有話說 meeting with date and place', async () => {
    await page.getByTestId('new-meeting').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading', { name: '新建会议' })).toBeVisible();
    await dialog.getByLabel('会议名称').fill('三月樓長有話說');
    // Pick another kind and back, so the assertion below depends on the select working.
    await dialog.getByTestId('meeting-kind').click();
    await page.getByRole('option', { name: '党建沙龙' }).click();
    await expect(dialog.getByTestId('meeting-kind')).toHaveText('党建沙龙');
    await dialog.getByTestId('meeting-kind').click();
    await page.getByRole('option', { name: '楼长有话说' }).click();
    await expect(dialog.getByTestId('meeting-kind')).toHaveText('楼长有话说');
    await dialog.getByTestId('meeting-starts').fill('2025-03-14T19:30');
    await dialog.getByTestId('meeting-location').fill('社區黨群服務中心二樓');
    await dialog.getByTestId('meeting-create').click();
    await expect(page).toHaveURL(/\/m\/[^/]+$/);
    await expect(page.getByTestId('meeting-title')).toHaveText('三月樓長有話說');
    await expect(page.getByTestId('meeting-kind')).toHaveText('楼长有话说');
    await expect(page.getByTestId('meeting-status')).toHaveText('未开始');
    await expect(page.getByTestId('meeting-where')).toHaveText('社區黨群服務中心二樓');
    await expect(page.getByTestId('meeting-when')).toContainText('19:30');
    await expect(page.getByTestId('my-role')).toHaveText('你的身份：主持人');
    await expect(page.locator('section#agenda')).toBeVisible();
  });
  const meetingPath = new URL(page.url()).pathname;

  const code = await test.step('the page shows the join code, link and QR code', async () => {
    const display = page.getByTestId('join-code-display');
    const raw = await display.getAttribute('data-code');
    expect(raw).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{9}$/);
    await expect(display).toHaveText(formatJoinCode(raw!));
    await expect(page.getByTestId('join-url')).toHaveText(`${baseURL}/join/${raw}`);
    await expect(page.getByTestId('join-qr').locator('svg')).toBeVisible();
    return raw!;
  });

  await test.step('the host starts the meeting', async () => {
    await page.getByTestId('start-meeting').click();
    await expect(page.getByTestId('meeting-status')).toHaveText('进行中');
  });

  await test.step('without a session the meeting page asks to sign in; a bad code gets the server message', async () => {
    const phone = await browser.newContext({
      baseURL,
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
    });
    const p = await phone.newPage();
    await p.goto('/');
    await expect(p.getByRole('heading', { level: 2, name: '有会议码？' })).toBeVisible();
    await p.screenshot({ path: artifact('home-anonymous-390x844.png'), fullPage: true });
    expect(
      await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no horizontal scroll at 390px',
    ).toBe(true);
    await p.goto(meetingPath);
    await expect(p).toHaveURL(`${baseURL}/login?next=${encodeURIComponent(meetingPath)}`);

    await p.goto(`/join/${code}`);
    await expect(p.getByTestId('join-code')).toHaveText(`会议码 ${formatJoinCode(code)}`);
    await p.screenshot({ path: artifact('join-390x844.png'), fullPage: true });
    expect(
      await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no horizontal scroll at 390px',
    ).toBe(true);

    const wrong = code.startsWith('Z') ? 'YYYYYYYYY' : 'ZZZZZZZZZ';
    await p.goto(`/join/${wrong}`);
    await p.getByTestId('join-name').fill('路人');
    await p.getByRole('radio', { name: '其他' }).click();
    await p.getByTestId('join-submit').click();
    await expect(p.getByTestId('error')).toHaveText('没有找到这个会议码，请核对后再试。');
    await phone.close();
  });

  const tablet = await browser.newContext({
    baseURL,
    viewport: { width: 1024, height: 768 },
    locale: 'zh-TW',
    hasTouch: true,
  });
  const guest = await tablet.newPage();
  await test.step('a tablet opens the join link (lower case, dashes) and joins as 王樓長 / 居民', async () => {
    await guest.goto(`/join/${formatJoinCode(code).toLowerCase()}`);
    // The tablet's browser asks for Traditional Chinese and gets it without choosing.
    await expect(guest.getByRole('heading', { level: 1 })).toHaveText('加入會議');
    await guest.getByTestId('join-name').fill('王樓長');
    await guest.getByRole('radio', { name: '居民/樓長' }).click();
    await expect(guest.getByRole('radio', { name: '居民/樓長' })).toBeChecked();
    await guest.getByTestId('join-submit').click();
    await expect(guest).toHaveURL(`${baseURL}${meetingPath}`);
    await expect(guest.getByTestId('my-role')).toHaveText('你的身分：參會者');
    await expect(guest.getByTestId('meeting-title')).toHaveText('三月樓長有話說');
    // A guest who wanders to the start page finds the way back to their meeting.
    await guest.goto('/');
    await guest.getByTestId('guest-back').click();
    await expect(guest).toHaveURL(`${baseURL}${meetingPath}`);
  });

  const row = page.locator('[data-testid^="participant-row-"]').filter({ hasText: '王樓長' });
  await test.step("the host's page lists the guest under 居民/楼长", async () => {
    await expect(page.getByTestId('affiliation-group-resident').getByText('王樓長')).toBeVisible();
    await expect(row).toHaveAttribute('data-role', 'participant');
    await expect(row).toHaveAttribute('data-present', 'true');
    await expect(page.getByTestId('participants-count')).toHaveText('到会 2 人，共 2 人');
  });

  await test.step('the host makes 王樓長 secretary; the tablet sees its new role', async () => {
    const userId = (await row.getAttribute('data-testid'))!.replace('participant-row-', '');
    await page.getByTestId(`participant-role-${userId}`).click();
    await page.getByRole('option', { name: '记录员' }).click();
    await expect(row).toHaveAttribute('data-role', 'secretary');
    await expect(page.getByTestId(`participant-role-${userId}`)).toHaveText('记录员');
    // The tablet re-reads the meeting while visible.
    await expect(guest.getByTestId('my-role')).toHaveText('你的身分：記錄員');
    await page.reload();
    await expect(row).toHaveAttribute('data-role', 'secretary');
  });

  await test.step('screenshots of the meeting page and home', async () => {
    await guest.screenshot({ path: artifact('meeting-guest-1024x768.png'), fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifact('meeting-1920x1080.png'), fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: artifact('meeting-1024x768.png'), fullPage: true });
    await page.goto('/');
    await expect(page.getByRole('link', { name: /三月樓長有話說/ })).toBeVisible();
    await page.screenshot({ path: artifact('home.png'), fullPage: true });
    await page.goto(meetingPath);
  });

  await test.step('one click switches the language to English, then to 繁體', async () => {
    await expect(page.getByRole('heading', { name: '参会人员' })).toBeVisible();
    await page.getByTestId('lang-en').click();
    await expect(page.getByRole('heading', { name: 'Participants' })).toBeVisible();
    await expect(page.getByTestId('meeting-kind')).toHaveText('Building leaders speak');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByTestId('lang-zh-TW').click();
    await expect(page.getByRole('heading', { name: '參會人員' })).toBeVisible();
    await expect(page.getByTestId('meeting-kind')).toHaveText('樓長有話說');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-TW');
    // The server answers in the chosen language too.
    const answer = await page.evaluate(async () => (await fetch('/api/communities/nope')).json());
    expect(answer).toEqual({ error: { code: 'not_found', message: '找不到要存取的內容。' } });
  });

  await tablet.close();
});
