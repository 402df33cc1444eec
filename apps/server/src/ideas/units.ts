import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { SessionUser } from '@yishi/auth';
import { units } from '@yishi/db';
import { checkUnits, countHeads, formatArea, householdKey, putUnitsBody, totalArea, unitsFromCsv, type BadUnitRow, type UnitRegisterDto } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireCommunityAdmin } from './access.ts';

/** The body of PUT /units: JSON `{units}` or a CSV file; either way the rows to check. */
export type UnitsUpload = { kind: 'json'; body: unknown } | { kind: 'csv'; text: string };

function refuse(bad: BadUnitRow[], firstLine = 1): never {
  // CSV rows are reported by their line in the file, as a spreadsheet numbers them.
  const rows = bad.map((b) => ({ ...b, row: b.row + firstLine - 1 }));
  throw new AppError('invalid_units', { count: rows.length }, {}, [], { rows });
}

/**
 * Replaces the register with the upload, all or nothing: units keep their ids when their
 * building and unit stay (household codes and owners' bindings survive an edit), units no longer
 * listed are removed, and a single bad row refuses the whole upload with every bad row named.
 */
export async function putUnits(deps: Deps, user: SessionUser | null, communityId: string, upload: UnitsUpload) {
  await requireCommunityAdmin(deps, user, communityId);
  let rows: unknown[];
  let firstLine = 1;
  if (upload.kind === 'csv') {
    const read = unitsFromCsv(upload.text);
    if (!read.ok) refuse(read.bad);
    rows = read.rows;
    firstLine = read.firstLine;
  } else {
    const parsed = putUnitsBody.safeParse(upload.body);
    if (!parsed.success) throw new AppError('invalid_input', {}, {}, ['units']);
    rows = parsed.data.units;
  }
  const checked = checkUnits(rows);
  if (!checked.ok) refuse(checked.bad, firstLine);
  const list = checked.units;
  await deps.db.transaction(async (tx) => {
    const existing = await tx.select({ id: units.id, key: units.key }).from(units).where(eq(units.communityId, communityId)).for('update');
    const idOf = new Map(existing.map((u) => [u.key, u.id]));
    const keep = new Set<string>();
    const values = list.map((u, position) => {
      const key = householdKey(u.building, u.unit)!;
      const id = idOf.get(key) ?? newId();
      keep.add(id);
      return { id, communityId, building: u.building, unit: u.unit, key, area: u.area, owners: u.owners, developer: u.developer, position };
    });
    const gone = existing.filter((u) => !keep.has(u.id)).map((u) => u.id);
    if (gone.length) await tx.delete(units).where(inArray(units.id, gone));
    // Positions and fields of kept units are rewritten; in chunks so a 10,000-unit register stays one transaction of modest statements.
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      await tx
        .insert(units)
        .values(chunk)
        .onConflictDoUpdate({
          target: units.id,
          set: { building: sqlExcluded('building'), unit: sqlExcluded('unit'), key: sqlExcluded('key'), area: sqlExcluded('area'), owners: sqlExcluded('owners'), developer: sqlExcluded('developer'), position: sqlExcluded('position') },
        });
    }
  });
  return { units: list.length, totalArea: totalArea(list), heads: countHeads(list) };
}

/** The value an upsert tried to insert (ON CONFLICT … DO UPDATE SET col = excluded.col). */
function sqlExcluded(column: string) {
  return sql.raw(`excluded.${column}`);
}

/** The register in its order, with unit ids (admins). */
export async function getUnits(deps: Deps, user: SessionUser | null, communityId: string): Promise<UnitRegisterDto> {
  await requireCommunityAdmin(deps, user, communityId);
  const rows = await deps.db.select().from(units).where(eq(units.communityId, communityId)).orderBy(asc(units.position));
  return {
    units: rows.map((u) => ({ id: u.id, building: u.building, unit: u.unit, area: u.area === null ? null : formatArea(u.area), owners: u.owners, developer: u.developer })),
    totalArea: totalArea(rows),
    heads: countHeads(rows),
  };
}
