import type { RankingMethod, ThemeStatus } from '@yishi/model';
import { m } from '$lib/paraglide/messages.js';

const STATUS: Record<ThemeStatus, () => string> = {
  collected: m.idea_status_collected,
  discussed: m.idea_status_discussed,
  'in-progress': m.idea_status_in_progress,
  done: m.idea_status_done,
};

/** The name of a theme's (and its ideas') status in the current language. */
export const themeStatusLabel = (status: ThemeStatus): string => STATUS[status]();

const METHOD: Record<RankingMethod, () => string> = {
  borda: m.idea_method_borda,
  pairwise: m.idea_method_pairwise,
};

export const methodLabel = (method: RankingMethod): string => METHOD[method]();

/** "3" → "3号楼" in the current language; '' (unknown building) → "not given". */
export const buildingLabel = (key: string): string => (key ? m.idea_building_n({ building: key }) : m.idea_building_unknown());
