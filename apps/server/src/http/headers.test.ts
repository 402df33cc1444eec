import { request as httpRequest, Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDriver } from '@yishi/db/testing';
import { MAX_JSON_BODY } from '@yishi/model';
import { createTestContext, listeningServer, type TestContext } from '../testing.ts';
import type { YishiServer } from '../server.ts';

let ctx: TestContext;
let yishi: YishiServer;
let port: number;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ yishi, port } = await listeningServer(ctx, []));
});
afterAll(async () => {
  await yishi.close();
  await ctx.dispose();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The local port of the TCP connection that carried it. */
  via: number;
}

/** One request over a keep-alive agent, as browsers and kiosks make them. */
function send(agent: Agent, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, via: req.socket?.localPort ?? 0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe(`HTTP headers (${testDriver})`, () => {
  it('every answer says nosniff, same-origin referrers, and refuses framing', async () => {
    const agent = new Agent({ keepAlive: true });
    const health = await send(agent, 'GET', '/healthz');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['referrer-policy']).toBe('same-origin');
    expect(health.headers['x-frame-options']).toBe('DENY');
    const error = await send(agent, 'GET', '/api/nope');
    expect(error.status).toBe(404);
    expect(error.headers['x-content-type-options']).toBe('nosniff');
    agent.destroy();
  });

  it('after a 413 the server closes the connection, and a keep-alive client’s next request works', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = JSON.stringify({ username: 'big', password: 'x'.repeat(MAX_JSON_BODY + 10), name: 'x' });
    const refused = await send(agent, 'POST', '/api/auth/signup', big);
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body).error.code).toBe('payload_too_large');
    const next = await send(agent, 'GET', '/healthz');
    expect(next.status).toBe(200);
    expect(next.via).not.toBe(refused.via);
    agent.destroy();
  });
});
