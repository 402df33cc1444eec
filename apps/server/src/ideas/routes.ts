import type { Hono } from 'hono';
import {
  createCampaignBody,
  createRoundBody,
  createThemeBody,
  decodeCsv,
  moveIdeasBody,
  paperAnswerBody,
  paperIdeasBody,
  roundAnswerBody,
  submitIdeaBody,
  themesToAgendaBody,
  updateCampaignBody,
  updateRoundBody,
  updateThemeBody,
} from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { readBody, type AppContext, type AppEnv } from '../http/context.ts';
import * as campaigns from './campaigns.ts';
import * as photos from './photos.ts';
import * as rounds from './rounds.ts';
import * as register from './units.ts';

/** Organiser answers hold residents' buildings and units: never kept by shared caches. */
const PRIVATE = { 'cache-control': 'private, no-store' };

async function readText(c: AppContext): Promise<string> {
  try {
    return decodeCsv(new Uint8Array(await c.req.arrayBuffer()));
  } catch {
    throw new AppError('invalid_input', {}, {}, ['units']);
  }
}

/** The routes of idea campaigns, ranking rounds and the unit register (mounted under /api). */
export function ideaRoutes(api: Hono<AppEnv>, deps: Deps): void {
  // The unit register: JSON {units} or a CSV file with the same columns.
  api.put('/communities/:id/units', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const upload: register.UnitsUpload = /^text\/csv\b/i.test(type)
      ? { kind: 'csv', text: await readText(c) }
      : { kind: 'json', body: await c.req.json().catch(() => {
          throw new AppError('invalid_input', {}, {}, ['units']);
        }) };
    return c.json(await register.putUnits(deps, c.var.user, c.req.param('id'), upload));
  });
  api.get('/communities/:id/units', async (c) => c.json(await register.getUnits(deps, c.var.user, c.req.param('id')), 200, PRIVATE));

  api.get('/communities/:id/campaigns', async (c) => c.json(await campaigns.listCampaigns(deps, c.var.user, c.req.param('id'))));
  api.post('/communities/:id/campaigns', async (c) => {
    const body = await readBody(c, createCampaignBody);
    return c.json(await campaigns.createCampaign(deps, c.var.user, c.req.param('id'), body), 201);
  });
  api.get('/campaigns/:id', async (c) => c.json(await campaigns.getCampaign(deps, c.var.user, c.req.param('id')), 200, PRIVATE));
  api.patch('/campaigns/:id', async (c) => c.json(await campaigns.updateCampaign(deps, c.var.user, c.req.param('id'), await readBody(c, updateCampaignBody))));
  api.get('/campaigns/:id/ideas', async (c) => {
    const filter = { q: c.req.query('q')?.slice(0, 100) || undefined, building: c.req.query('building')?.slice(0, 24) || undefined };
    return c.json(await campaigns.listIdeas(deps, c.var.user, c.req.param('id'), filter), 200, PRIVATE);
  });
  api.post('/campaigns/:id/ideas', async (c) => c.json(await campaigns.addPaperIdeas(deps, c.var.user, c.req.param('id'), await readBody(c, paperIdeasBody)), 201));
  api.post('/campaigns/:id/themes', async (c) => c.json(await campaigns.createTheme(deps, c.var.user, c.req.param('id'), await readBody(c, createThemeBody)), 201));
  api.post('/campaigns/:id/moves', async (c) => c.json(await campaigns.moveIdeas(deps, c.var.user, c.req.param('id'), await readBody(c, moveIdeasBody)), 201));
  api.post('/campaigns/:id/agenda', async (c) => c.json(await campaigns.themesToAgenda(deps, c.var.user, c.req.param('id'), await readBody(c, themesToAgendaBody), c.var.locale)));
  api.post('/campaigns/:id/rounds', async (c) => c.json(await rounds.createRound(deps, c.var.user, c.req.param('id'), await readBody(c, createRoundBody)), 201));
  api.patch('/themes/:id', async (c) => c.json(await campaigns.updateTheme(deps, c.var.user, c.req.param('id'), await readBody(c, updateThemeBody))));
  api.post('/moves/:id/undo', async (c) => c.json(await campaigns.undoMove(deps, c.var.user, c.req.param('id'))));
  api.get('/ideas/:id/photo', async (c) => {
    const photo = await photos.getPhoto(deps, c.var.user, c.req.param('id'));
    return c.body(photo.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': photo.mime, 'x-content-type-options': 'nosniff', ...PRIVATE });
  });

  api.patch('/rounds/:id', async (c) => c.json(await rounds.updateRound(deps, c.var.user, c.req.param('id'), (await readBody(c, updateRoundBody)).status)));
  api.get('/rounds/:id/result', async (c) => c.json(await rounds.roundResult(deps, c.var.user, c.req.param('id')), 200, PRIVATE));
  api.get('/rounds/:id/codes', async (c) => c.json(await rounds.listCodes(deps, c.var.user, c.req.param('id')), 200, PRIVATE));
  api.post('/rounds/:id/codes', async (c) => c.json(await rounds.generateCodes(deps, c.var.user, c.req.param('id')), 200, PRIVATE));
  api.post('/rounds/:id/answers', async (c) => c.json(await rounds.paperAnswer(deps, c.var.user, c.req.param('id'), await readBody(c, paperAnswerBody)), 201));

  // Readable and writable without an account: residents on their phones.
  api.get('/public/campaigns/:code', async (c) => c.json(await campaigns.publicCampaign(deps, c.req.param('code'))));
  api.post('/public/campaigns/:code/ideas', async (c) =>
    c.json(await campaigns.submitIdea(deps, c.req.param('code'), await readBody(c, submitIdeaBody), c.var.request.clientIp), 201),
  );
  api.post('/public/ideas/:receipt/photo', async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json(await photos.uploadPhoto(deps, c.req.param('receipt'), c.req.header('content-type'), bytes, c.var.request.clientIp), 201);
  });
  api.get('/public/ideas/:receipt', async (c) => c.json(await campaigns.publicReceipt(deps, c.req.param('receipt'), c.var.request.clientIp)));
  api.get('/public/rounds/:id', async (c) => c.json(await rounds.publicRound(deps, c.req.param('id'))));
  api.post('/public/rounds/:id/answers', async (c) =>
    c.json(await rounds.answerRound(deps, c.req.param('id'), await readBody(c, roundAnswerBody), c.var.request.clientIp), 201),
  );
  api.get('/public/communities/:id/campaigns', async (c) => c.json(await campaigns.publicCommunityCampaigns(deps, c.req.param('id'))));
}
