import { inflateRawSync } from 'node:zlib';

/**
 * The text of a Word document (DOCX), paragraph by paragraph, for bringing a draft charter in.
 * Bounded: the upload itself is capped by the API's body limit (1 MiB); only `word/document.xml`
 * is inflated, and never beyond DOCX_XML_LIMIT bytes (zlib's maxOutputLength stops a zip bomb
 * whatever the archive claims). Total: anything that is not a readable DOCX gives null.
 */

/** Largest document.xml we inflate. */
export const DOCX_XML_LIMIT = 8 * 1024 * 1024;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The bytes of one file in a ZIP archive (stored or deflated), or null. */
function zipEntry(zip: Buffer, wanted: string, limit: number): Buffer | null {
  // The end-of-central-directory record sits in the last 22 + 65,535 bytes.
  const from = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= from; i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && at + 46 <= zip.length; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) return null;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + skip;
    if (name !== wanted) continue;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) return null;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (data.length !== compressed) return null;
    if (method === 0) return data.length <= limit ? data : null;
    if (method !== 8) return null;
    try {
      return inflateRawSync(data, { maxOutputLength: limit });
    } catch {
      return null;
    }
  }
  return null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, code: string) => {
    if (code.startsWith('#x')) return safeChar(parseInt(code.slice(2), 16)) ?? whole;
    if (code.startsWith('#')) return safeChar(parseInt(code.slice(1), 10)) ?? whole;
    return ENTITIES[code] ?? whole;
  });
}

function safeChar(code: number): string | null {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : null;
}

/** The paragraphs of a DOCX as plain text, one per line; null when the file is not a DOCX. */
export function docxText(bytes: Uint8Array): string | null {
  const xml = zipEntry(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'word/document.xml', DOCX_XML_LIMIT)?.toString('utf8');
  if (!xml || !xml.includes('<w:document')) return null;
  const paragraphs: string[] = [];
  for (const paragraph of xml.split(/<\/w:p>/)) {
    let line = '';
    // Runs' text, tabs and line breaks, in document order.
    for (const match of paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:br\/>/g)) {
      if (match[1] !== undefined) line += decodeXml(match[1]);
      else line += match[0] === '<w:tab/>' ? '\t' : '\n';
    }
    paragraphs.push(line);
  }
  return paragraphs.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
