import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  MAX_JSON_BODY,
  createCommunityBody,
  createFollowUpBody,
  followUpNoteBody,
  updateFollowUpBody,
  createMeetingBody,
  joinBody,
  loginBody,
  signupBody,
  updateMeetingBody,
  updateParticipantBody,
  endMeetingBody,
  reopenMeetingBody,
  checkInBody,
  type Locale,
} from '@yishi/model';
import { contentDisposition, minutesQuery, summaryBody } from '@yishi/minutes';
import type { Deps } from '../deps.ts';
import { requireAccount, requireCommunityMember } from '../access.ts';
import * as accounts from '../services/accounts.ts';
import * as charters from '../services/charters.ts';
import * as attendance from '../services/attendance.ts';
import * as demo from '../services/demo.ts';
import * as communities from '../services/communities.ts';
import * as followups from '../services/followups.ts';
import * as meetings from '../services/meetings.ts';
import * as lifecycle from '../services/lifecycle.ts';
import * as minutes from '../services/minutes.ts';
import * as draws from '../draws/service.ts';
import { authenticate, requestContext } from '../request.ts';
import { clearSessionCookie, writeSessionCookie } from './cookies.ts';
import { readBody, type AppContext, type AppEnv } from './context.ts';
import { AppError, answerOf } from '../errors.ts';
import { meetingUnits } from '../polls/owners.ts';
import { ideaRoutes } from '../ideas/routes.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds the HTTP app (health and JSON API). Listening is main.ts's business. */
export function createApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((error, c) => {
    const e = answerOf(error);
    if (e.code === 'internal') deps.logger.error({ err: error, path: c.req.path }, 'unhandled error');
    for (const [name, value] of Object.entries(e.headers)) c.header(name, value);
    // The rest of an oversized body is not read: this connection cannot carry another request.
    if (e.status === 413) c.header('Connection', 'close');
    return c.json({ error: e.toBody(c.var.locale ?? 'zh-CN') }, e.status as 400);
  });

  app.notFound((c) => c.json({ error: new AppError('not_found').toBody(c.var.locale ?? 'zh-CN') }, 404));

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const request = requestContext((name) => c.req.header(name), c.env?.incoming?.socket?.remoteAddress, deps.config);
    c.set('request', request);
    c.set('locale', request.locale);
    c.set('user', null);
    c.set('session', null);
    await next();
  });

  // 200 while this instance can serve (its database answers). Redis, when configured, is reported
  // but does not fail the check: without it the instance still serves its own clients.
  app.get('/healthz', async (c) => {
    const ok = await deps.database.ping();
    const redis = deps.redis ? { redis: deps.redis.status() } : {};
    return c.json({ ok, database: deps.database.driver, ...redis }, ok ? 200 : 503);
  });

  const api = new Hono<AppEnv>();

  api.use('*', async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !c.var.request.originAllowed) {
      throw new AppError('foreign_origin');
    }
    await next();
  });

  api.use(
    '*',
    bodyLimit({
      maxSize: MAX_JSON_BODY,
      onError: () => {
        throw new AppError('payload_too_large');
      },
    }),
  );

  api.use('*', async (c, next) => {
    const validation = await authenticate(deps, c.var.request);
    if (validation) {
      c.set('user', validation.user);
      c.set('session', validation.session);
      if (validation.renewed) writeSessionCookie(c, c.var.request.sessionToken!, validation.session.expiresAt);
    }
    await next();
  });

  api.post('/auth/signup', async (c) => {
    const created = await accounts.signup(deps, await readBody(c, signupBody), c.var.request.clientIp);
    writeSessionCookie(c, created.token, created.expiresAt);
    return c.json({ user: created.user }, 201);
  });

  api.post('/auth/login', async (c) => {
    const body = await readBody(c, loginBody);
    const created = await accounts.login(deps, body, c.var.request.clientIp);
    // A new session on every login; the one the browser had before ends.
    const previous = c.var.session;
    if (previous) await accounts.logout(deps, previous.id);
    writeSessionCookie(c, created.token, created.expiresAt);
    return c.json({ user: created.user });
  });

  api.post('/auth/logout', async (c) => {
    const session = c.var.session;
    if (session) await accounts.logout(deps, session.id);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  api.get('/me', (c) => c.json({ user: accounts.userDto(requireUser(c)) }));

  api.get('/communities', async (c) => c.json(await communities.listCommunities(deps, requireAccount(c.var.user))));

  api.post('/communities', async (c) => {
    const user = requireAccount(c.var.user);
    const body = await readBody(c, createCommunityBody);
    return c.json(await communities.createCommunity(deps, user, body.name), 201);
  });

  api.get('/communities/:id', async (c) => {
    const community = await requireCommunityMember(deps, requireAccount(c.var.user), c.req.param('id'));
    return c.json(community);
  });

  api.get('/communities/:id/meetings', async (c) =>
    c.json(await communities.listCommunityMeetings(deps, requireUser(c), c.req.param('id'))),
  );

  api.post('/meetings', async (c) => {
    const body = await readBody(c, createMeetingBody);
    return c.json(await meetings.createMeeting(deps, c.var.user, body, c.var.locale ?? 'zh-CN'), 201);
  });

  api.get('/meetings/:id', async (c) => c.json(await meetings.getMeeting(deps, c.var.user, c.req.param('id'))));

  api.patch('/meetings/:id', async (c) => {
    const { status, ...fields } = await readBody(c, updateMeetingBody);
    // A status goes through the lifecycle step it names, with that step's rules and effects.
    if (status !== undefined) await lifecycle.changeStatus(deps, c.var.user, c.req.param('id'), status);
    return c.json(await meetings.updateMeeting(deps, c.var.user, c.req.param('id'), fields));
  });

  api.post('/meetings/:id/start', async (c) => c.json(await lifecycle.startMeeting(deps, c.var.user, c.req.param('id'))));

  api.post('/meetings/:id/end', async (c) => {
    const body = await readBody(c, endMeetingBody);
    return c.json(await lifecycle.endMeeting(deps, c.var.user, c.req.param('id'), body));
  });

  api.post('/meetings/:id/finalize', async (c) => c.json(await lifecycle.finalizeMeeting(deps, c.var.user, c.req.param('id'))));

  api.post('/meetings/:id/reopen', async (c) => {
    const body = await readBody(c, reopenMeetingBody);
    return c.json(await lifecycle.reopenMeeting(deps, c.var.user, c.req.param('id'), body.reason));
  });

  api.post('/meetings/:id/join-code', async (c) => c.json(await meetings.rotateJoinCode(deps, c.var.user, c.req.param('id'))));

  api.post('/join', async (c) => {
    const body = await readBody(c, joinBody);
    const outcome = await meetings.joinMeeting(deps, c.var.user, body, c.var.request.clientIp);
    if (outcome.session) writeSessionCookie(c, outcome.session.token, outcome.session.expiresAt);
    return c.json(outcome.result);
  });

  api.get('/meetings/:id/participants', async (c) =>
    c.json(await meetings.listParticipants(deps, c.var.user, c.req.param('id'))),
  );

  api.post('/meetings/:id/participants', async (c) => {
    const body = await readBody(c, checkInBody);
    return c.json(await attendance.checkInByHand(deps, c.var.user, c.req.param('id'), body), 201);
  });

  api.post('/demo', async (c) => {
    const outcome = await demo.createDemo(deps, c.var.user, c.var.request.clientIp, c.var.locale ?? 'zh-CN');
    if (outcome.session) writeSessionCookie(c, outcome.session.token, outcome.session.expiresAt);
    return c.json(outcome.result, 201);
  });

  api.patch('/meetings/:id/participants/:userId', async (c) => {
    const body = await readBody(c, updateParticipantBody);
    return c.json(await meetings.updateParticipant(deps, c.var.user, c.req.param('id'), c.req.param('userId'), body));
  });

  api.get('/meetings/:id/units', async (c) => c.json(await meetingUnits(deps, c.var.user?.id, c.req.param('id'))));

  api.delete('/meetings/:id/participants/:userId', async (c) => {
    await meetings.removeParticipant(deps, c.var.user, c.req.param('id'), c.req.param('userId'));
    return c.body(null, 204);
  });
  api.get('/communities/:id/follow-ups', async (c) =>
    c.json(await followups.listCommunityFollowUps(deps, c.var.user, c.req.param('id'))),
  );

  api.get('/communities/:id/follow-ups.csv', async (c) => {
    const csv = await followups.followUpsCsv(deps, c.var.user, c.req.param('id'));
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="follow-ups.csv"; filename*=UTF-8''${encodeURIComponent('督办事项.csv')}`,
    });
  });

  api.get('/meetings/:id/follow-ups', async (c) => c.json(await followups.meetingFollowUps(deps, c.var.user, c.req.param('id'))));

  api.post('/meetings/:id/follow-ups', async (c) => {
    const body = await readBody(c, createFollowUpBody);
    return c.json(await followups.createFollowUp(deps, c.var.user, c.req.param('id'), body), 201);
  });

  api.patch('/follow-ups/:id', async (c) => {
    const body = await readBody(c, updateFollowUpBody);
    return c.json(await followups.updateFollowUp(deps, c.var.user, c.req.param('id'), body));
  });

  api.post('/follow-ups/:id/notes', async (c) => {
    const body = await readBody(c, followUpNoteBody);
    return c.json(await followups.addFollowUpNote(deps, c.var.user, c.req.param('id'), body), 201);
  });

  api.get('/meetings/:id/minutes', async (c) => c.json(await minutes.getMinutes(deps, c.var.user, c.req.param('id'), minutesLocale(c))));

  for (const format of ['md', 'docx'] as const) {
    api.get(`/meetings/:id/minutes.${format}`, async (c) => {
      const file = await minutes.exportMinutes(deps, c.var.user, c.req.param('id'), format, minutesLocale(c));
      return c.body(file.body, 200, {
        'content-type': file.contentType,
        'content-disposition': contentDisposition(file.fileName),
        // The minutes hold names and votes: never kept by shared caches.
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      });
    });
  }

  // The charter deliberated clause by clause: its text as DOCX, and publishing the adopted text.
  api.get('/meetings/:id/charter.docx', async (c) => {
    const file = await charters.exportCharterDocx(deps, c.var.user, c.req.param('id'), minutesLocale(c));
    return c.body(file.body, 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'content-disposition': contentDisposition(file.fileName),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
  });
  // A DOCX draft's text (the API's body limit bounds the upload).
  api.post('/meetings/:id/charter/draft-text', async (c) =>
    c.json(await charters.draftFromDocx(deps, c.var.user, c.req.param('id'), new Uint8Array(await c.req.arrayBuffer()))),
  );
  api.post('/meetings/:id/charter/publish', async (c) => c.json(await charters.publishCharter(deps, c.var.user, c.req.param('id'))));

  api.put('/meetings/:id/summary', async (c) => {
    const body = await readBody(c, summaryBody);
    return c.json(await minutes.updateSummary(deps, c.var.user, c.req.param('id'), body.summary));
  });

  // Readable without an account: what the notice board (公示) shows.
  api.get('/public/communities/:id/board', async (c) => c.json(await followups.publicBoard(deps, c.req.param('id'))));
  // A draw by lot, for anyone to recompute (RFC 3797): inputs, method, result.
  api.get('/public/draws/:id', async (c) => c.json(await draws.publicDraw(deps, c.req.param('id'))));

  // Idea campaigns, ranking rounds and the unit register (apps/server/src/ideas/).
  ideaRoutes(api, deps);

  app.route('/api', api);
  return app;
}

/** The language of a minutes document: `?locale=` when given (and valid), else the reader's. */
function minutesLocale(c: AppContext): Locale {
  const query = minutesQuery.safeParse({ locale: c.req.query('locale') });
  if (!query.success) throw new AppError('invalid_input', {}, {}, ['locale']);
  return query.data.locale ?? c.var.locale;
}

function requireUser(c: AppContext) {
  const user = c.var.user;
  if (!user) throw new AppError('unauthenticated');
  return user;
}
