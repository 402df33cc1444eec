import { z } from 'zod';
import { parseCsv } from './csv.ts';
import { HOUSEHOLD_PART_MAX, householdKey } from './household.ts';
import { headKey } from '../tally/owners.ts';

/**
 * The unit register (房屋/业主名册) of a community: building, unit, exclusive floor area and owners.
 * Areas are exact: a decimal string with at most two decimals ("89.50"), kept as integer hundredths
 * of m² so that no float rounding ever decides an owners' vote.
 */

export const UNIT_LIMITS = { units: 10_000, owners: 10, ownerName: 64, areaHundredths: 100_000_000 } as const;

/** "89.5" → 8950; null for anything that is not a non-negative decimal with at most two decimals. */
export function parseArea(value: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) return null;
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return hundredths <= UNIT_LIMITS.areaHundredths ? hundredths : null;
}

/** 8950 → "89.50". */
export function formatArea(hundredths: number): string {
  const whole = Math.trunc(hundredths / 100);
  return `${whole}.${String(hundredths % 100).padStart(2, '0')}`;
}

const part = z.string().trim().min(1).max(HOUSEHOLD_PART_MAX);

/** One unit as the API takes it. */
export const unitInput = z.object({
  building: part,
  unit: part,
  /** m² as a decimal string with at most two decimals; omitted or empty when unknown. */
  area: z.string().max(16).optional().nullable(),
  owners: z.array(z.string().trim().min(1).max(UNIT_LIMITS.ownerName)).max(UNIT_LIMITS.owners).default([]),
  /** Unsold units of the developer: all of them count as one owner. */
  developer: z.boolean().default(false),
});
export type UnitInput = z.input<typeof unitInput>;

export const putUnitsBody = z.object({ units: z.array(z.unknown()).max(UNIT_LIMITS.units) });

/** A valid unit of the register. */
export interface UnitRecord {
  building: string;
  unit: string;
  /** Hundredths of m², or null when unknown. */
  area: number | null;
  owners: string[];
  developer: boolean;
}

/** A row that cannot go into the register, and why (a field name and a reason code). */
export interface BadUnitRow {
  /** 1-based: the element of `units`, or the line of the CSV file. */
  row: number;
  field: 'building' | 'unit' | 'area' | 'owners' | 'developer' | 'row';
  reason: 'missing' | 'too_long' | 'not_a_decimal' | 'duplicate' | 'too_many' | 'not_a_flag' | 'too_many_rows' | 'too_many_cells';
}

export type UnitsCheck = { ok: true; units: UnitRecord[] } | { ok: false; bad: BadUnitRow[] };

/** At most this many bad rows are reported: enough to fix a file, small enough to show. */
const BAD_ROWS_SHOWN = 50;

/** Validates a whole register: every row's fields, and no unit twice (by household key). */
export function checkUnits(rows: readonly unknown[]): UnitsCheck {
  const bad: BadUnitRow[] = [];
  const units: UnitRecord[] = [];
  const seen = new Set<string>();
  rows.forEach((raw, index) => {
    const row = index + 1;
    const parsed = unitInput.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? 'row');
      const known = ['building', 'unit', 'area', 'owners', 'developer'].includes(field) ? (field as BadUnitRow['field']) : 'row';
      const reason: BadUnitRow['reason'] =
        issue.code === 'too_big' ? (field === 'owners' && issue.path.length === 1 ? 'too_many' : 'too_long') : known === 'developer' ? 'not_a_flag' : 'missing';
      bad.push({ row, field: known, reason });
      return;
    }
    const u = parsed.data;
    const areaText = u.area?.trim() ?? '';
    const area = areaText === '' ? null : parseArea(areaText);
    if (areaText !== '' && area === null) {
      bad.push({ row, field: 'area', reason: 'not_a_decimal' });
      return;
    }
    const key = householdKey(u.building, u.unit);
    if (!key) {
      bad.push({ row, field: householdKey(u.building, '1') ? 'unit' : 'building', reason: 'missing' });
      return;
    }
    if (seen.has(key)) {
      bad.push({ row, field: 'unit', reason: 'duplicate' });
      return;
    }
    seen.add(key);
    units.push({ building: u.building, unit: u.unit, area, owners: [...new Set(u.owners)], developer: u.developer });
  });
  return bad.length ? { ok: false, bad: bad.slice(0, BAD_ROWS_SHOWN) } : { ok: true, units };
}

const HEADERS: Record<string, keyof UnitRecord> = {
  building: 'building', 楼栋: 'building', 樓棟: 'building', 楼号: 'building', 樓號: 'building', 楼: 'building', 樓: 'building',
  unit: 'unit', 房号: 'unit', 房號: 'unit', 单元: 'unit', 單元: 'unit', 门牌: 'unit', 門牌: 'unit', 户: 'unit',
  area: 'area', 面积: 'area', 面積: 'area', 建筑面积: 'area', 專有面積: 'area', 专有面积: 'area',
  owners: 'owners', owner: 'owners', 业主: 'owners', 業主: 'owners',
  developer: 'developer', 开发商: 'developer', 開發商: 'developer',
};
const COLUMNS: (keyof UnitRecord)[] = ['building', 'unit', 'area', 'owners', 'developer'];
const YES = new Set(['true', 'yes', 'y', '1', '是', 'x', '√', '✓']);
const NO = new Set(['', 'false', 'no', 'n', '0', '否']);

/**
 * Rows of a register CSV as unit inputs: columns by a header row (English or Chinese names) or,
 * without one, in the order building, unit, area, owners, developer. Owners are separated by
 * 、 ; ； / or |. A file that cannot be read, or holds no unit, answers one bad row.
 */
export function unitsFromCsv(text: string): { ok: true; rows: unknown[]; firstLine: number } | { ok: false; bad: BadUnitRow[] } {
  const parsed = parseCsv(text, { rows: UNIT_LIMITS.units + 1, cells: 20, cellChars: 1_000 });
  if (!parsed.ok) {
    return { ok: false, bad: [{ row: parsed.row, field: 'row', reason: parsed.reason === 'too_many_rows' ? 'too_many_rows' : parsed.reason === 'too_many_cells' ? 'too_many_cells' : 'too_long' }] };
  }
  const [first = [], ...rest] = parsed.rows;
  const mapped = first.map((h) => HEADERS[h.normalize('NFKC').toLowerCase().replace(/\s|[（(].*$/gu, '')]);
  const hasHeader = mapped.some((m) => m !== undefined);
  const columns = hasHeader ? mapped : COLUMNS;
  const body = hasHeader ? rest : parsed.rows;
  // The upload replaces the register: an empty file (or a header alone) would delete every unit,
  // and with them the owners' bindings and household codes. Clearing takes the JSON body.
  if (body.length === 0) return { ok: false, bad: [{ row: hasHeader ? 2 : 1, field: 'row', reason: 'missing' }] };
  const rows = body.map((cells) => {
    const out: Record<string, unknown> = {};
    cells.forEach((cell, i) => {
      const column = columns[i];
      if (column === 'owners') out.owners = cell.split(/[、;；/|]/u).map((o) => o.trim()).filter(Boolean);
      else if (column === 'developer') {
        const flag = cell.toLowerCase();
        out.developer = YES.has(flag) ? true : NO.has(flag) ? false : cell;
      } else if (column) out[column] = cell;
    });
    return out;
  });
  return { ok: true, rows, firstLine: hasHeader ? 2 : 1 };
}

/**
 * Heads (人数) of a register under the Supreme People's Court interpretation, art. 9: one unit
 * counts as one person; one owner (the same set of owner names) of several units counts once; the
 * developer's unsold units count as one person in total. A unit without owner names counts alone.
 */
export function countHeads(units: readonly Pick<UnitRecord, 'owners' | 'developer'>[]): number {
  return new Set(units.map((u, i) => headKey(u, String(i)))).size;
}

/** Total area in hundredths of m² (units without a known area add nothing). */
export function totalArea(units: readonly Pick<UnitRecord, 'area'>[]): number {
  return units.reduce((sum, u) => sum + (u.area ?? 0), 0);
}

/** A unit of the register as the API shows it to admins. */
export interface UnitDto {
  id: string;
  building: string;
  unit: string;
  /** m² with two decimals ("89.50"), or null. */
  area: string | null;
  owners: string[];
  developer: boolean;
}

/** GET /api/communities/:id/units. */
export interface UnitRegisterDto {
  units: UnitDto[];
  /** Hundredths of m². */
  totalArea: number;
  heads: number;
}
