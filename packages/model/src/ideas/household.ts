/**
 * Households as people write them. "3号楼 1201室", "３栋1201", "3-1201" are one household: the key
 * folds full-width characters (NFKC), case and spaces, and drops the words around the numbers.
 */

/** Longest building or unit a person may type. */
export const HOUSEHOLD_PART_MAX = 24;

const BUILDING_WORDS = /(号楼|號樓|楼栋|樓棟|号|號|栋|棟|幢|座|楼|樓|building|bldg\.?|blk\.?|block)/giu;
const UNIT_WORDS = /(室|号|號|户|戶|房|unit|room|rm\.?|apt\.?|flat|#)/giu;
const SEPARATORS = /[\s\-_.,，、·/\\()（）]+/gu;

function fold(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** A building as a key: "3号楼", "３栋", "3 幢" → "3"; empty when nothing is left. */
export function normalizeBuilding(value: string): string {
  return fold(value).replace(BUILDING_WORDS, '').replace(SEPARATORS, '');
}

/** A unit as a key: "1201室", "1201 号" → "1201"; "2单元1201" keeps its 单元 part ("2单元1201"). */
export function normalizeUnit(value: string): string {
  return fold(value).replace(UNIT_WORDS, '').replace(SEPARATORS, '');
}

/** The household a building and unit name, or null when either is empty once normalized. */
export function householdKey(building: string, unit: string): string | null {
  const b = normalizeBuilding(building);
  const u = normalizeUnit(unit);
  if (!b || !u) return null;
  return `${b}|${u}`;
}
