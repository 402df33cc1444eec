import { eq } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { ideaCampaigns, ideaThemes, rankingRounds } from '@yishi/db';
import type { CommunityDto } from '@yishi/model';
import { requireAccount, requireCommunityMember } from '../access.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

/*
 * Who organises idea collection: the community's admins (community workers, volunteers with an
 * account). Every organiser route goes through one of these, per campaign, theme or round.
 */

/** The caller as an admin of the community, or 401 / 403 / 404. */
export async function requireCommunityAdmin(deps: Deps, user: SessionUser | null, communityId: string): Promise<{ user: SessionUser; community: CommunityDto }> {
  const account = requireAccount(user);
  const community = await requireCommunityMember(deps, account, communityId);
  if (community.role !== 'admin') throw new AppError('forbidden');
  return { user: account, community };
}

export type CampaignRow = typeof ideaCampaigns.$inferSelect;

/** A campaign the caller administers. */
export async function requireCampaignAdmin(deps: Deps, user: SessionUser | null, campaignId: string): Promise<{ user: SessionUser; campaign: CampaignRow }> {
  requireAccount(user);
  const [campaign] = await deps.db.select().from(ideaCampaigns).where(eq(ideaCampaigns.id, campaignId));
  if (!campaign) throw new AppError('not_found');
  const { user: account } = await requireCommunityAdmin(deps, user, campaign.communityId);
  return { user: account, campaign };
}

/** A theme and its campaign, for an admin of the campaign's community. */
export async function requireThemeAdmin(deps: Deps, user: SessionUser | null, themeId: string) {
  requireAccount(user);
  const [theme] = await deps.db.select().from(ideaThemes).where(eq(ideaThemes.id, themeId));
  if (!theme) throw new AppError('not_found');
  return { ...(await requireCampaignAdmin(deps, user, theme.campaignId)), theme };
}

/** A ranking round and its campaign, for an admin of the campaign's community. */
export async function requireRoundAdmin(deps: Deps, user: SessionUser | null, roundId: string) {
  requireAccount(user);
  const [round] = await deps.db.select().from(rankingRounds).where(eq(rankingRounds.id, roundId));
  if (!round) throw new AppError('not_found');
  return { ...(await requireCampaignAdmin(deps, user, round.campaignId)), round };
}
