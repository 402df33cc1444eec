import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

export { scriptedMeeting, longMeeting } from './fixtures.ts';

const run = promisify(execFile);

/** Test helpers for exported documents: reading a DOCX's parts and converting it with LibreOffice. */

/** The files of a ZIP archive (a DOCX), by name, read from its central directory. */
export function unzip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive: no end of central directory');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`corrupt local header of ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + size);
    if (method === 0) files.set(name, data);
    else if (method === 8) files.set(name, new Uint8Array(inflateRawSync(data)));
    else throw new Error(`unsupported compression ${method} for ${name}`);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/** One XML part of a DOCX as text (e.g. word/document.xml). */
export function docxPart(bytes: Uint8Array, name: string): string {
  const part = unzip(bytes).get(name);
  if (!part) throw new Error(`no ${name} in the document`);
  return new TextDecoder().decode(part);
}

/** The text of each w:p of a WordprocessingML part, runs joined. */
export function docxParagraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decodeXml(t[1] ?? '')).join(''),
  );
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);
}

export const LIBREOFFICE = process.env.LIBREOFFICE_PATH ?? '/usr/bin/libreoffice';
export const PDFTOTEXT = process.env.PDFTOTEXT_PATH ?? '/usr/bin/pdftotext';

/** Why the LibreOffice check cannot run here, or null when it can. */
export function libreOfficeMissing(): string | null {
  if (!existsSync(LIBREOFFICE)) return `LibreOffice not found at ${LIBREOFFICE} (apt-get install libreoffice-writer)`;
  if (!existsSync(PDFTOTEXT)) return `pdftotext not found at ${PDFTOTEXT} (apt-get install poppler-utils)`;
  return null;
}

/**
 * Converts a DOCX to PDF with LibreOffice (its own throwaway profile, so parallel runs do not
 * collide) and returns the PDF and its text as pdftotext reads it.
 */
export async function docxToPdf(bytes: Uint8Array): Promise<{ pdf: Uint8Array; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'yishi-minutes-'));
  try {
    const input = join(dir, 'minutes.docx');
    await writeFile(input, bytes);
    const profile = pathToFileURL(join(dir, 'profile')).href;
    await run(LIBREOFFICE, [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, input], { timeout: 180_000 });
    const pdfPath = join(dir, 'minutes.pdf');
    if (!existsSync(pdfPath)) throw new Error('LibreOffice wrote no PDF');
    const { stdout } = await run(PDFTOTEXT, ['-enc', 'UTF-8', pdfPath, '-'], { maxBuffer: 64 * 1024 * 1024 });
    return { pdf: new Uint8Array(await readFile(pdfPath)), text: stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
