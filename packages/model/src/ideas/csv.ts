/**
 * A total CSV reader (RFC 4180 as spreadsheets write it): quoted cells with "" escapes, CR, LF or
 * CRLF line ends, a UTF-8 byte-order mark. Whatever the bytes, it answers rows or a refusal, never
 * throws; the caps keep one upload from holding unbounded memory.
 */
export interface CsvLimits {
  rows: number;
  cells: number;
  cellChars: number;
}

export const CSV_LIMITS: CsvLimits = { rows: 20_000, cells: 20, cellChars: 2_000 };

export type CsvResult = { ok: true; rows: string[][] } | { ok: false; reason: 'too_many_rows' | 'too_many_cells' | 'cell_too_long'; row: number };

/**
 * The text of an uploaded CSV file. UTF-8 (with or without a byte-order mark), UTF-16 with one,
 * else GB18030: what Excel on a Chinese Windows saves as "CSV" (GBK, a subset). Reading such a
 * file as UTF-8 turned every Chinese name into U+FFFD without a word.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Rows of a CSV text; blank lines are skipped, cells are trimmed. */
export function parseCsv(input: string, limits: CsvLimits = CSV_LIMITS): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endCell = (): CsvResult | null => {
    if (cell.length > limits.cellChars) return { ok: false, reason: 'cell_too_long', row: rows.length + 1 };
    row.push(cell.trim());
    cell = '';
    if (row.length > limits.cells) return { ok: false, reason: 'too_many_cells', row: rows.length + 1 };
    return null;
  };
  const endRow = (): CsvResult | null => {
    const failed = endCell();
    if (failed) return failed;
    if (row.some((c) => c !== '')) rows.push(row);
    row = [];
    if (rows.length > limits.rows) return { ok: false, reason: 'too_many_rows', row: rows.length };
    return null;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cell += ch;
      // A cell growing without end inside an unclosed quote is refused as soon as it is too long.
      if (cell.length > limits.cellChars) return { ok: false, reason: 'cell_too_long', row: rows.length + 1 };
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      const failed = endCell();
      if (failed) return failed;
    } else if (ch === '\r' || ch === '\n') {
      const failed = endRow();
      if (failed) return failed;
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else cell += ch;
    i++;
  }
  if (cell !== '' || row.length) {
    const failed = endRow();
    if (failed) return failed;
  }
  return { ok: true, rows };
}
