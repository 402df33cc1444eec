import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LOCALES } from '@yishi/model';
import { loadConfig } from './config.ts';
import {
  clientAddress,
  isAllowedOrigin,
  localeFrom,
  normalizeIp,
  parseCookies,
  requestContext,
  sessionTokenFrom,
} from './request.ts';

const config = loadConfig({ PUBLIC_URL: 'https://yishi.example.org', ALLOWED_ORIGINS: 'http://kiosk.lan:8080' });
const proxied = { ...config, trustProxy: true };
const plain = { secureCookies: false };
/** Any string, including lone surrogates, control characters and stray percent signs. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom('%', 'Z', '=', ';', ' ', '"', ',', '\u0000', '\uD800', 'yishi_session', 'PARAGLIDE_LOCALE', '%E4', '%zz', 'a'), { maxLength: 60 }).map((a) => a.join('')),
);

describe('request context parsers are total', () => {
  it('cookies: any header gives an object, never an exception', () => {
    fc.assert(
      fc.property(anyText, (header) => {
        const cookies = parseCookies(header);
        expect(typeof cookies).toBe('object');
        for (const value of Object.values(cookies)) expect(typeof value).toBe('string');
      }),
      { numRuns: 5000 },
    );
  });

  it('the malformed escapes of the outside probe are read, not thrown', () => {
    expect(parseCookies('yishi_session=%ZZ')).toEqual({ yishi_session: '%ZZ' });
    expect(sessionTokenFrom(parseCookies('yishi_session=%ZZ'), plain)).toBeNull();
    expect(localeFrom(parseCookies('PARAGLIDE_LOCALE=%ZZ'), undefined)).toBe('zh-CN');
    expect(localeFrom(parseCookies('PARAGLIDE_LOCALE=%E4%BD'), 'en')).toBe('zh-CN');
  });

  it('session token: only the shape of a real token counts', () => {
    const token = 'abcdefghijklmnopqrstuvwxyz234567';
    expect(sessionTokenFrom(parseCookies(`a=1; yishi_session=${token}`), plain)).toBe(token);
    expect(sessionTokenFrom(parseCookies(`yishi_session=${token}x`), plain)).toBeNull();
    const secure = { secureCookies: true };
    expect(sessionTokenFrom(parseCookies(`yishi_session=${token}`), secure)).toBeNull();
    expect(sessionTokenFrom(parseCookies(`__Host-yishi_session=${token}`), secure)).toBe(token);
    fc.assert(
      fc.property(anyText, (value) => {
        const found = sessionTokenFrom(parseCookies(`yishi_session=${value}`), plain);
        expect(found === null || /^[a-z2-7]{32}$/.test(found)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('locale: always one of ours; the cookie wins over Accept-Language', () => {
    fc.assert(
      fc.property(anyText, anyText, (cookie, accept) => {
        expect(LOCALES).toContain(localeFrom(parseCookies(cookie), accept));
      }),
      { numRuns: 3000 },
    );
    expect(localeFrom(parseCookies('PARAGLIDE_LOCALE=zh-TW'), 'en')).toBe('zh-TW');
    expect(localeFrom({}, 'zh-HK,zh;q=0.8')).toBe('zh-TW');
    expect(localeFrom({}, 'en-GB;q=0.9,zh-CN;q=0.1')).toBe('en');
  });

  it('address: right-most forwarded hop behind a trusted proxy, the socket otherwise', () => {
    expect(clientAddress('6.6.6.6, 203.0.113.9', '10.0.0.2', true)).toBe('203.0.113.9');
    expect(clientAddress('6.6.6.6, 203.0.113.9', '10.0.0.2', false)).toBe('10.0.0.2');
    // A forged or garbled header falls back to the socket, never to a client-chosen key.
    expect(clientAddress('6.6.6.6, not-an-ip', '10.0.0.2', true)).toBe('10.0.0.2');
    expect(clientAddress(undefined, '::ffff:192.168.1.20', true)).toBe('192.168.1.20');
    expect(clientAddress(undefined, undefined, false)).toBe('unknown');
    fc.assert(
      fc.property(anyText, fc.option(anyText, { nil: undefined }), fc.boolean(), (forwarded, remote, trust) => {
        const ip = clientAddress(forwarded, remote, trust);
        expect(ip === 'unknown' || normalizeIp(ip) === ip).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('origin: scheme, host and port must all match', () => {
    const allowed = (origin: string | undefined, host?: string, proto?: string, c = config) => isAllowedOrigin(origin, host, proto, c);
    expect(allowed(undefined, 'x')).toBe(true);
    expect(allowed('http://192.168.1.20:3000', '192.168.1.20:3000')).toBe(true);
    expect(allowed('https://192.168.1.20:3000', '192.168.1.20:3000')).toBe(false);
    expect(allowed('http://192.168.1.20:3001', '192.168.1.20:3000')).toBe(false);
    expect(allowed('http://192.168.1.20', '192.168.1.20:80')).toBe(true);
    expect(allowed('https://yishi.example.org', 'internal:3001')).toBe(true);
    expect(allowed('http://yishi.example.org', 'internal:3001')).toBe(false);
    expect(allowed('http://kiosk.lan:8080', 'internal:3001')).toBe(true);
    expect(allowed('https://lan.host', 'lan.host', 'https', proxied)).toBe(true);
    expect(allowed('https://lan.host', 'lan.host', 'https', config)).toBe(false);
    expect(allowed('null', 'lan.host')).toBe(false);
    expect(allowed('', 'lan.host')).toBe(false);
    expect(allowed('file://lan.host', 'lan.host')).toBe(false);
    fc.assert(
      fc.property(anyText, fc.option(anyText, { nil: undefined }), fc.option(anyText, { nil: undefined }), (origin, host, proto) => {
        expect(typeof isAllowedOrigin(origin, host, proto, proxied)).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('the whole context from arbitrary headers', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('cookie', 'accept-language', 'x-forwarded-for', 'origin', 'host', 'x-forwarded-proto'), anyText), (headers) => {
        const context = requestContext((name) => headers[name], '127.0.0.1', proxied);
        expect(LOCALES).toContain(context.locale);
        expect(typeof context.originAllowed).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
