import { expect, test } from './fixtures.ts';

// Issue 10: pages send a Content-Security-Policy without 'unsafe-inline' scripts, refuse to be
// framed (except the public board), and survive malformed cookies.
test('pages carry the security headers and run under their CSP', async ({ page, request }) => {
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  const response = await page.goto('/');
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  // The app booted under that policy: the start page rendered and nothing was blocked.
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.goto('/login');
  await expect(page.getByLabel('用户名')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
  expect(violations).toEqual([]);

  // The public board may be embedded by community sites; nothing else may.
  const board = await request.get('/c/no-such-community/board');
  expect(board.headers()['content-security-policy']).toContain('frame-ancestors *');
  expect(board.headers()['x-frame-options']).toBeUndefined();

  // Malformed cookies (the outside probe's crash) get a page, not an error.
  for (const cookie of ['yishi_session=%ZZ', 'PARAGLIDE_LOCALE=%ZZ', 'PARAGLIDE_LOCALE=%E4%BD; yishi_session="%"']) {
    const res = await request.get('/', { headers: { cookie } });
    expect(res.status()).toBe(200);
    const me = await request.get('/api/me', { headers: { cookie } });
    expect(me.status()).toBe(401);
  }
});
