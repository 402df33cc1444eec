import { and, asc, count, desc, eq, ilike, inArray, isNotNull } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import type { SessionUser } from '@yishi/auth';
import { communities, followUps, ideaCampaigns, ideaMoveItems, ideaMoves, ideaPhotos, ideas, ideaThemes, meetings, rankingRounds } from '@yishi/db';
import {
  CAMPAIGN_CODE_LENGTH,
  IDEA_LIMITS,
  IDEA_RECEIPT_LENGTH,
  canFacilitate,
  createAgendaItem,
  findItem,
  normalizeCode,
  themeStatus,
  type CampaignDetailDto,
  type CampaignDto,
  type CreateCampaignBody,
  type CreateThemeBody,
  type IdeaDto,
  type IdeaMoveDto,
  type IdeaReceiptDto,
  type IdeaStep,
  type Locale,
  type MeetingKind,
  type MoveIdeasBody,
  type PaperIdeasBody,
  type PublicCampaignDto,
  type SubmitIdeaBody,
  type ThemeDto,
  type ThemeStatus,
  type ThemesToAgendaBody,
  type RankingMethod,
  type HouseholdMode,
  pickLocale,
} from '@yishi/model';
import { requireParticipant } from '../access.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { addressKey } from '../limits.ts';
import { requireCampaignAdmin, requireCommunityAdmin, requireThemeAdmin, type CampaignRow } from './access.ts';
import { isUniqueViolation, newCode } from './codes.ts';
import { roundDtos } from './rounds.ts';

type IdeaRow = typeof ideas.$inferSelect;
type ThemeRow = typeof ideaThemes.$inferSelect;

/** The page residents open: what the QR code on the poster and the chat-group link hold. */
export function campaignUrl(deps: Deps, code: string): string {
  return new URL(`/i/${code}`, deps.publicBaseUrl()).toString();
}

function isOpen(campaign: Pick<CampaignRow, 'closesAt'>, now = new Date()): boolean {
  return !campaign.closesAt || campaign.closesAt > now;
}

/** Retries an insert whose random code collided with one already taken (≈ never, but never a 500). */
async function withFreshCode<T>(length: number, insert: (code: string) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await insert(newCode(length));
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

export async function createCampaign(deps: Deps, user: SessionUser | null, communityId: string, body: CreateCampaignBody) {
  const { user: account } = await requireCommunityAdmin(deps, user, communityId);
  const id = newId();
  const code = await withFreshCode(CAMPAIGN_CODE_LENGTH, async (code) => {
    await deps.db.insert(ideaCampaigns).values({ id, communityId, title: body.title, code, closesAt: body.closesAt ? new Date(body.closesAt) : null, createdBy: account.id });
    return code;
  });
  return { id, code, url: campaignUrl(deps, code) };
}

export async function updateCampaign(deps: Deps, user: SessionUser | null, campaignId: string, patch: { title?: string; closesAt?: string | null }) {
  await requireCampaignAdmin(deps, user, campaignId);
  const set: Partial<CampaignRow> = {};
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.closesAt !== undefined) set.closesAt = patch.closesAt ? new Date(patch.closesAt) : null;
  await deps.db.update(ideaCampaigns).set(set).where(eq(ideaCampaigns.id, campaignId));
  deps.events.emit('ideas', campaignId, null);
  return getCampaign(deps, user, campaignId);
}

async function campaignDtos(deps: Deps, rows: CampaignRow[]): Promise<CampaignDto[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const ideaCounts = await deps.db.select({ id: ideas.campaignId, n: count() }).from(ideas).where(inArray(ideas.campaignId, ids)).groupBy(ideas.campaignId);
  const themeCounts = await deps.db.select({ id: ideaThemes.campaignId, n: count() }).from(ideaThemes).where(inArray(ideaThemes.campaignId, ids)).groupBy(ideaThemes.campaignId);
  const ideasOf = new Map(ideaCounts.map((c) => [c.id, c.n]));
  const themesOf = new Map(themeCounts.map((c) => [c.id, c.n]));
  return rows.map((r) => ({
    id: r.id,
    communityId: r.communityId,
    title: r.title,
    code: r.code,
    url: campaignUrl(deps, r.code),
    closesAt: r.closesAt?.toISOString() ?? null,
    open: isOpen(r),
    createdAt: r.createdAt.toISOString(),
    ideas: ideasOf.get(r.id) ?? 0,
    themes: themesOf.get(r.id) ?? 0,
  }));
}

export async function listCampaigns(deps: Deps, user: SessionUser | null, communityId: string): Promise<CampaignDto[]> {
  await requireCommunityAdmin(deps, user, communityId);
  const rows = await deps.db.select().from(ideaCampaigns).where(eq(ideaCampaigns.communityId, communityId)).orderBy(desc(ideaCampaigns.createdAt));
  return campaignDtos(deps, rows);
}

/** Where each theme stands, with its follow-ups and when it reached each step. */
interface ThemeProgress {
  status: ThemeStatus;
  meetingTitle: string | null;
  followUps: { title: string; status: string; dueDate: string | null; createdAt: Date; updatedAt: Date }[];
}

/** Themes' progress from the meeting agenda item they became and that item's follow-ups. */
async function themeProgress(deps: Deps, themes: ThemeRow[]): Promise<Map<string, ThemeProgress>> {
  const placed = themes.filter((t) => t.meetingId && t.agendaItemId);
  const meetingIds = [...new Set(placed.map((t) => t.meetingId!))];
  const [titles, linked] = meetingIds.length
    ? await Promise.all([
        deps.db.select({ id: meetings.id, title: meetings.title }).from(meetings).where(inArray(meetings.id, meetingIds)),
        deps.db
          .select()
          .from(followUps)
          .where(and(inArray(followUps.meetingId, meetingIds), inArray(followUps.agendaItemId, placed.map((t) => t.agendaItemId!))))
          .orderBy(asc(followUps.createdAt)),
      ])
    : [[], []];
  const titleOf = new Map(titles.map((t) => [t.id, t.title]));
  const progress = new Map<string, ThemeProgress>();
  for (const t of themes) {
    const own = t.meetingId && t.agendaItemId ? linked.filter((f) => f.meetingId === t.meetingId && f.agendaItemId === t.agendaItemId) : [];
    progress.set(t.id, {
      status: themeStatus(Boolean(t.agendaAt), own.map((f) => f.status)),
      meetingTitle: t.meetingId ? (titleOf.get(t.meetingId) ?? null) : null,
      followUps: own.map((f) => ({ title: f.title, status: f.status, dueDate: f.dueDate, createdAt: f.createdAt, updatedAt: f.updatedAt })),
    });
  }
  return progress;
}

async function themeDtos(deps: Deps, campaignId: string): Promise<ThemeDto[]> {
  const rows = await deps.db.select().from(ideaThemes).where(eq(ideaThemes.campaignId, campaignId)).orderBy(asc(ideaThemes.createdAt));
  const counts = await deps.db.select({ id: ideas.themeId, n: count() }).from(ideas).where(and(eq(ideas.campaignId, campaignId), isNotNull(ideas.themeId))).groupBy(ideas.themeId);
  const countOf = new Map(counts.map((c) => [c.id, c.n]));
  const progress = await themeProgress(deps, rows);
  return rows.map((t) => ({
    id: t.id,
    title: t.title,
    category: t.category,
    ideas: countOf.get(t.id) ?? 0,
    status: progress.get(t.id)!.status,
    meetingId: t.meetingId,
    meetingTitle: progress.get(t.id)!.meetingTitle,
    agendaItemId: t.agendaItemId,
    createdAt: t.createdAt.toISOString(),
  }));
}

async function moveDtos(deps: Deps, campaignId: string): Promise<IdeaMoveDto[]> {
  const moves = await deps.db
    .select({ move: ideaMoves, themeTitle: ideaThemes.title })
    .from(ideaMoves)
    .leftJoin(ideaThemes, eq(ideaThemes.id, ideaMoves.themeId))
    .where(eq(ideaMoves.campaignId, campaignId))
    .orderBy(desc(ideaMoves.createdAt))
    .limit(200);
  if (!moves.length) return [];
  const items = await deps.db.select().from(ideaMoveItems).where(inArray(ideaMoveItems.moveId, moves.map((m) => m.move.id)));
  return moves.map(({ move, themeTitle }) => ({
    id: move.id,
    themeId: move.themeId,
    themeTitle,
    ideaIds: items.filter((i) => i.moveId === move.id).map((i) => i.ideaId),
    actorName: move.actorName,
    createdAt: move.createdAt.toISOString(),
    undoneAt: move.undoneAt?.toISOString() ?? null,
  }));
}

/** The organisers' view: the campaign with its themes, recent moves (for undo) and rounds. */
export async function getCampaign(deps: Deps, user: SessionUser | null, campaignId: string): Promise<CampaignDetailDto> {
  const { campaign } = await requireCampaignAdmin(deps, user, campaignId);
  const [dto] = await campaignDtos(deps, [campaign]);
  const rounds = await deps.db.select().from(rankingRounds).where(eq(rankingRounds.campaignId, campaignId)).orderBy(asc(rankingRounds.createdAt));
  return { ...dto!, themesList: await themeDtos(deps, campaignId), moves: await moveDtos(deps, campaignId), rounds: await roundDtos(deps, rounds) };
}

/** An idea as organisers see it (building and unit included: admins only). */
export function ideaDto(row: IdeaRow, hasPhoto = false): IdeaDto {
  return {
    id: row.id,
    text: row.text,
    building: row.building,
    unit: row.unit,
    source: row.source as IdeaDto['source'],
    collectedBy: row.collectedBy,
    themeId: row.themeId,
    hasPhoto,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The campaign's ideas in arrival order; `q` searches the text, `building` filters. */
export async function listIdeas(deps: Deps, user: SessionUser | null, campaignId: string, filter: { q?: string; building?: string } = {}): Promise<IdeaDto[]> {
  await requireCampaignAdmin(deps, user, campaignId);
  const where = [eq(ideas.campaignId, campaignId)];
  if (filter.q) where.push(ilike(ideas.text, `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filter.building) where.push(eq(ideas.building, filter.building));
  const rows = await deps.db
    .select({ idea: ideas, photo: ideaPhotos.ideaId })
    .from(ideas)
    .leftJoin(ideaPhotos, eq(ideaPhotos.ideaId, ideas.id))
    .where(and(...where))
    .orderBy(asc(ideas.seq));
  return rows.map((r) => ideaDto(r.idea, r.photo !== null));
}

async function campaignByCode(deps: Deps, typed: string): Promise<CampaignRow> {
  const code = normalizeCode(typed, CAMPAIGN_CODE_LENGTH);
  const [campaign] = code ? await deps.db.select().from(ideaCampaigns).where(eq(ideaCampaigns.code, code)) : [];
  if (!campaign) throw new AppError('not_found');
  return campaign;
}

/** Inserts ideas under the campaign's cap, each with its own receipt; one transaction. */
async function insertIdeas(deps: Deps, campaign: CampaignRow, list: SubmitIdeaBody[], source: 'online' | 'paper', collectedBy: string | null) {
  return deps.db.transaction(async (tx) => {
    // The campaign row lock orders concurrent inserts, so the cap holds exactly.
    await tx.select({ id: ideaCampaigns.id }).from(ideaCampaigns).where(eq(ideaCampaigns.id, campaign.id)).for('update');
    const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(ideas).where(eq(ideas.campaignId, campaign.id));
    if (n + list.length > IDEA_LIMITS.ideasPerCampaign) throw new AppError('campaign_full');
    const values = list.map((idea) => ({
      id: newId(),
      campaignId: campaign.id,
      text: idea.text,
      building: idea.building ?? null,
      unit: idea.unit ?? null,
      source,
      collectedBy,
      receipt: newCode(IDEA_RECEIPT_LENGTH),
    }));
    return tx.insert(ideas).values(values).returning();
  });
}

/**
 * A resident's idea (no account). The address's point is taken before anything is read and not
 * given back: every submission counts (see docs/threat-model.md, "Public forms").
 */
export async function submitIdea(deps: Deps, typedCode: string, body: SubmitIdeaBody, ip: string): Promise<{ id: string; receipt: string }> {
  await deps.limits.take('idea.address', addressKey(ip));
  const campaign = await campaignByCode(deps, typedCode);
  if (!isOpen(campaign)) throw new AppError('campaign_closed');
  const [row] = await retryReceipt(() => insertIdeas(deps, campaign, [body], 'online', null));
  deps.events.emit('ideas', campaign.id, ideaDto(row!));
  return { id: row!.id, receipt: row!.receipt };
}

/** Receipts are random: a collision (≈ never) draws again instead of failing the submission. */
async function retryReceipt<T>(insert: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await insert();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

/** Paper slips and door-to-door answers typed in by a volunteer, marked as collected by them. */
export async function addPaperIdeas(deps: Deps, user: SessionUser | null, campaignId: string, body: PaperIdeasBody) {
  const { campaign } = await requireCampaignAdmin(deps, user, campaignId);
  const rows = await retryReceipt(() => insertIdeas(deps, campaign, body.ideas, 'paper', body.collectedBy));
  for (const row of rows) deps.events.emit('ideas', campaign.id, ideaDto(row));
  return { ideas: rows.map((r) => ({ id: r.id, receipt: r.receipt })) };
}

/**
 * Moves ideas into a theme (or out of any), recording where each came from so that the move can
 * be undone. Ideas must belong to the campaign; the theme too.
 */
async function recordMove(deps: Deps, user: SessionUser, campaignId: string, ideaIds: string[], themeId: string | null, tx: Parameters<Parameters<Deps['db']['transaction']>[0]>[0]) {
  const unique = [...new Set(ideaIds)];
  const found = await tx.select({ id: ideas.id, themeId: ideas.themeId }).from(ideas).where(and(eq(ideas.campaignId, campaignId), inArray(ideas.id, unique))).for('update');
  if (found.length !== unique.length) throw new AppError('invalid_input', {}, {}, ['ideaIds']);
  const moveId = newId();
  await tx.insert(ideaMoves).values({ id: moveId, campaignId, themeId, actorName: user.name });
  await tx.insert(ideaMoveItems).values(found.map((f) => ({ moveId, ideaId: f.id, fromThemeId: f.themeId })));
  await tx.update(ideas).set({ themeId }).where(inArray(ideas.id, unique));
  return moveId;
}

export async function createTheme(deps: Deps, user: SessionUser | null, campaignId: string, body: CreateThemeBody): Promise<{ id: string; moveId: string | null }> {
  const { user: account } = await requireCampaignAdmin(deps, user, campaignId);
  const id = newId();
  const moveId = await deps.db.transaction(async (tx) => {
    await tx.insert(ideaThemes).values({ id, campaignId, title: body.title, category: body.category || null });
    return body.ideaIds.length ? recordMove(deps, account, campaignId, body.ideaIds, id, tx) : null;
  });
  deps.events.emit('ideas', campaignId, null);
  return { id, moveId };
}

export async function updateTheme(deps: Deps, user: SessionUser | null, themeId: string, patch: { title?: string; category?: string | null }) {
  const { campaign } = await requireThemeAdmin(deps, user, themeId);
  const set: Partial<ThemeRow> = {};
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.category !== undefined) set.category = patch.category || null;
  await deps.db.update(ideaThemes).set(set).where(eq(ideaThemes.id, themeId));
  deps.events.emit('ideas', campaign.id, null);
  return { id: themeId };
}

/** Merge (into a theme), split (into a new theme made first) or take out of a theme (null). */
export async function moveIdeas(deps: Deps, user: SessionUser | null, campaignId: string, body: MoveIdeasBody): Promise<{ moveId: string }> {
  const { user: account } = await requireCampaignAdmin(deps, user, campaignId);
  if (body.themeId) {
    const [theme] = await deps.db.select({ campaignId: ideaThemes.campaignId }).from(ideaThemes).where(eq(ideaThemes.id, body.themeId));
    if (!theme || theme.campaignId !== campaignId) throw new AppError('invalid_input', {}, {}, ['themeId']);
  }
  const moveId = await deps.db.transaction((tx) => recordMove(deps, account, campaignId, body.ideaIds, body.themeId, tx));
  deps.events.emit('ideas', campaignId, null);
  return { moveId };
}

/**
 * Undoes a move: every idea goes back to the theme it came from. Refused when an idea was moved
 * again since (its theme is no longer this move's): undoing then would throw away that later work.
 */
export async function undoMove(deps: Deps, user: SessionUser | null, moveId: string): Promise<{ moveId: string }> {
  const [move] = await deps.db.select().from(ideaMoves).where(eq(ideaMoves.id, moveId));
  if (!move) throw new AppError('not_found');
  await requireCampaignAdmin(deps, user, move.campaignId);
  await deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(ideaMoves).where(eq(ideaMoves.id, moveId)).for('update');
    if (locked!.undoneAt) throw new AppError('move_undone');
    const items = await tx.select().from(ideaMoveItems).where(eq(ideaMoveItems.moveId, moveId));
    const current = await tx.select({ id: ideas.id, themeId: ideas.themeId }).from(ideas).where(inArray(ideas.id, items.map((i) => i.ideaId))).for('update');
    if (current.some((c) => c.themeId !== locked!.themeId)) throw new AppError('move_superseded');
    for (const item of items) await tx.update(ideas).set({ themeId: item.fromThemeId }).where(eq(ideas.id, item.ideaId));
    await tx.update(ideaMoves).set({ undoneAt: new Date() }).where(eq(ideaMoves.id, moveId));
  });
  deps.events.emit('ideas', move.campaignId, null);
  return { moveId };
}

const AGENDA_NOTE: Record<Locale, (title: string, n: number) => string> = {
  'zh-CN': (title, n) => `来自「${title}」的 ${n} 条居民意见：`,
  'zh-TW': (title, n) => `來自「${title}」的 ${n} 條居民意見：`,
  en: (title, n) => `${n} residents' ideas from "${title}":`,
};
const AGENDA_MORE: Record<Locale, (n: number) => string> = {
  'zh-CN': (n) => `……另有 ${n} 条，见意见征集页面。`,
  'zh-TW': (n) => `……另有 ${n} 條，見意見徵集頁面。`,
  en: (n) => `…and ${n} more on the campaign page.`,
};
/** Ideas written into an agenda item's notes; the rest are counted, not copied. */
const IDEAS_IN_NOTES = 60;

/** The agenda item a theme becomes in a meeting: 16 base32 characters of SHA-256(theme, meeting). */
export function agendaItemIdFor(themeId: string, meetingId: string): string {
  const digest = createHash('sha256').update(`${themeId}\u0000${meetingId}`).digest();
  let id = '';
  for (let i = 0; i < 16; i++) id += ITEM_ID_ALPHABET[digest[i]! & 31];
  return id;
}
const ITEM_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

/**
 * Themes become agenda items of a meeting in one action: title = the theme's, notes = how many
 * ideas and their text. The theme remembers the item, so the item's follow-ups link back to it.
 * Needs an admin of the campaign who facilitates (host or secretary) the meeting.
 */
export async function themesToAgenda(deps: Deps, user: SessionUser | null, campaignId: string, body: ThemesToAgendaBody, locale: Locale) {
  const { campaign } = await requireCampaignAdmin(deps, user, campaignId);
  const access = await requireParticipant(deps, user, body.meetingId);
  if (!canFacilitate(access.role)) throw new AppError('forbidden');
  if (access.meeting.communityId !== campaign.communityId) throw new AppError('invalid_input', {}, {}, ['meetingId']);
  const themes = await deps.db.select().from(ideaThemes).where(and(eq(ideaThemes.campaignId, campaignId), inArray(ideaThemes.id, body.themeIds)));
  if (themes.length !== new Set(body.themeIds).size) throw new AppError('invalid_input', {}, {}, ['themeIds']);
  const texts = await deps.db.select({ themeId: ideas.themeId, text: ideas.text }).from(ideas).where(inArray(ideas.themeId, themes.map((t) => t.id))).orderBy(asc(ideas.seq));
  const ordered = body.themeIds.map((id) => themes.find((t) => t.id === id)!);
  const placed = await deps.editDoc(body.meetingId, { kind: access.meeting.kind as MeetingKind, locale: pickLocale(access.meeting.locale) }, (doc) =>
    ordered.map((theme) => {
      // The item's id follows from theme and meeting: sending a theme again (or retrying after a
      // failure below) finds its item instead of adding it twice.
      const itemId = agendaItemIdFor(theme.id, body.meetingId);
      if (findItem(doc, itemId)) return { themeId: theme.id, itemId };
      const own = texts.filter((t) => t.themeId === theme.id).map((t) => t.text);
      createAgendaItem(doc, { title: theme.title, id: itemId });
      const notes = findItem(doc, itemId)!.get('notes') as Y.XmlFragment;
      const list = new Y.XmlElement('bulletList');
      list.insert(
        0,
        own.slice(0, IDEAS_IN_NOTES).map((text) => {
          const li = new Y.XmlElement('listItem');
          li.insert(0, [paragraph(text)]);
          return li;
        }),
      );
      const blocks: Y.XmlElement[] = [paragraph(AGENDA_NOTE[locale](campaign.title, own.length)), list];
      if (own.length > IDEAS_IN_NOTES) blocks.push(paragraph(AGENDA_MORE[locale](own.length - IDEAS_IN_NOTES)));
      notes.insert(0, blocks);
      return { themeId: theme.id, itemId };
    }),
  );
  const now = new Date();
  await deps.db.transaction(async (tx) => {
    for (const p of placed) {
      const theme = ordered.find((t) => t.id === p.themeId)!;
      // A theme sent again to the same meeting keeps the day it was first put on its agenda.
      const agendaAt = theme.meetingId === body.meetingId && theme.agendaAt ? theme.agendaAt : now;
      await tx.update(ideaThemes).set({ meetingId: body.meetingId, agendaItemId: p.itemId, agendaAt }).where(eq(ideaThemes.id, p.themeId));
    }
  });
  deps.events.emit('ideas', campaignId, null);
  return { items: placed.map((p) => ({ themeId: p.themeId, agendaItemId: p.itemId })) };
}

/** What residents see of a campaign: themes with counts and status; no idea text, no personal data. */
export async function publicCampaign(deps: Deps, typedCode: string): Promise<PublicCampaignDto> {
  const campaign = await campaignByCode(deps, typedCode);
  const [community] = await deps.db.select({ name: communities.name }).from(communities).where(eq(communities.id, campaign.communityId));
  const themes = await themeDtos(deps, campaign.id);
  const rounds = await deps.db.select().from(rankingRounds).where(and(eq(rankingRounds.campaignId, campaign.id), eq(rankingRounds.status, 'open'))).orderBy(asc(rankingRounds.createdAt));
  return {
    title: campaign.title,
    communityName: community?.name ?? '',
    closesAt: campaign.closesAt?.toISOString() ?? null,
    open: isOpen(campaign),
    themes: themes.map((t) => ({ id: t.id, title: t.title, category: t.category, ideas: t.ideas, status: t.status })),
    rounds: rounds.map((r) => ({ id: r.id, title: r.title, method: r.method as RankingMethod, households: r.households as HouseholdMode })),
  };
}

/** The public board's section: every campaign of the community with its themes' status. */
export async function publicCommunityCampaigns(deps: Deps, communityId: string) {
  const [community] = await deps.db.select({ id: communities.id }).from(communities).where(eq(communities.id, communityId));
  if (!community) throw new AppError('not_found');
  const rows = await deps.db.select().from(ideaCampaigns).where(eq(ideaCampaigns.communityId, communityId)).orderBy(desc(ideaCampaigns.createdAt)).limit(20);
  const campaigns = [];
  for (const c of rows) {
    const themes = await themeDtos(deps, c.id);
    campaigns.push({ code: c.code, title: c.title, open: isOpen(c), themes: themes.map((t) => ({ id: t.id, title: t.title, category: t.category, ideas: t.ideas, status: t.status })) });
  }
  return { campaigns };
}

/**
 * What became of one idea: its own text and the path of its theme, nothing else. Wrong receipts
 * use up the address's guesses; right ones give their point back.
 */
export async function publicReceipt(deps: Deps, typed: string, ip: string): Promise<IdeaReceiptDto> {
  const address = addressKey(ip);
  return deps.limits.gate(`receipt ${address}`, async () => {
    const ticket = await deps.limits.take('receipt.guess', address);
    const receipt = normalizeCode(typed, IDEA_RECEIPT_LENGTH);
    const [row] = receipt
      ? await deps.db.select({ idea: ideas, campaignTitle: ideaCampaigns.title }).from(ideas).innerJoin(ideaCampaigns, eq(ideaCampaigns.id, ideas.campaignId)).where(eq(ideas.receipt, receipt))
      : [];
    if (!row) throw new AppError('unknown_receipt');
    await ticket.refund();
    const { idea, campaignTitle } = row;
    const [theme] = idea.themeId ? await deps.db.select().from(ideaThemes).where(eq(ideaThemes.id, idea.themeId)) : [];
    const progress = theme ? (await themeProgress(deps, [theme])).get(theme.id)! : null;
    const status: ThemeStatus = progress?.status ?? 'collected';
    const fus = progress?.followUps.filter((f) => f.status !== 'dropped') ?? [];
    const steps: IdeaStep[] = [
      { status: 'collected', at: idea.createdAt.toISOString() },
      { status: 'discussed', at: theme?.agendaAt?.toISOString() ?? null },
      { status: 'in-progress', at: fus[0]?.createdAt.toISOString() ?? null },
      { status: 'done', at: status === 'done' ? new Date(Math.max(...fus.map((f) => f.updatedAt.getTime()))).toISOString() : null },
    ];
    return {
      text: idea.text,
      campaignTitle,
      theme: theme ? { title: theme.title, status, meetingTitle: progress!.meetingTitle } : null,
      status,
      steps,
      followUps: fus.map((f) => ({ title: f.title, status: f.status, dueDate: f.dueDate })),
    };
  });
}
