import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import type { SessionUser } from '@yishi/auth';
import { ideaPhotos, ideas } from '@yishi/db';
import { IDEA_LIMITS, IDEA_RECEIPT_LENGTH, normalizeCode } from '@yishi/model';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { addressKey } from '../limits.ts';
import { requireCampaignAdmin } from './access.ts';

/** What a resident's browser may send (it resizes to JPEG first; PNG and WebP are accepted too). */
export const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const FORMATS = new Set(['jpeg', 'png', 'webp']);
/** Pixel bombs: a small file that would decode to a huge bitmap is refused before decoding. */
const MAX_INPUT_PIXELS = 40_000_000;
/**
 * Slivers: a 1 × 39,000,000 PNG is 76 KB and under the pixel cap, but shrinking it takes libvips
 * 15–25 s on a thread of the pool that password hashing shares (four at once held every login for
 * 75 s). No photo a browser resized (1280 px, see apps/web/src/lib/ideas/photo.ts), nor a phone's
 * panorama, has a side this long.
 */
export const MAX_PHOTO_SIDE = 10_000;

/**
 * Re-encodes a photo: the real format is read from the bytes (not trusted from the header), it is
 * turned upright, shrunk to at most 1600 px on its longer side and written as a fresh JPEG, which
 * carries none of the original's metadata (no GPS position, no device). Anything else is refused.
 */
export async function reencodePhoto(bytes: Uint8Array): Promise<Buffer> {
  if (bytes.byteLength === 0 || bytes.byteLength > IDEA_LIMITS.photoBytes) throw new AppError('photo_refused');
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.format || !FORMATS.has(meta.format)) throw new AppError('photo_refused');
    if (!meta.width || !meta.height || Math.max(meta.width, meta.height) > MAX_PHOTO_SIDE) throw new AppError('photo_refused');
    return await image
      .rotate()
      .resize({ width: IDEA_LIMITS.photoSide, height: IDEA_LIMITS.photoSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('photo_refused');
  }
}

/** Attaches (or replaces) the photo of the idea with this receipt: whoever holds the receipt sent the idea. */
export async function uploadPhoto(deps: Deps, typedReceipt: string, contentType: string | undefined, bytes: Uint8Array, ip: string) {
  await deps.limits.take('photo.address', addressKey(ip));
  if (!contentType || !PHOTO_TYPES.has(contentType.split(';')[0]!.trim().toLowerCase())) throw new AppError('photo_refused');
  const receipt = normalizeCode(typedReceipt, IDEA_RECEIPT_LENGTH);
  const [idea] = receipt ? await deps.db.select({ id: ideas.id, campaignId: ideas.campaignId }).from(ideas).where(eq(ideas.receipt, receipt)) : [];
  if (!idea) throw new AppError('unknown_receipt');
  const jpeg = await reencodePhoto(bytes);
  await deps.db
    .insert(ideaPhotos)
    .values({ ideaId: idea.id, mime: 'image/jpeg', bytes: jpeg })
    .onConflictDoUpdate({ target: ideaPhotos.ideaId, set: { mime: 'image/jpeg', bytes: jpeg } });
  deps.events.emit('ideas', idea.campaignId, null);
  return { ok: true as const, bytes: jpeg.byteLength };
}

/** An idea's photo for organisers. */
export async function getPhoto(deps: Deps, user: SessionUser | null, ideaId: string): Promise<{ mime: string; bytes: Uint8Array }> {
  const [row] = await deps.db.select({ campaignId: ideas.campaignId, mime: ideaPhotos.mime, bytes: ideaPhotos.bytes }).from(ideas).innerJoin(ideaPhotos, eq(ideaPhotos.ideaId, ideas.id)).where(eq(ideas.id, ideaId));
  if (!row) throw new AppError('not_found');
  await requireCampaignAdmin(deps, user, row.campaignId);
  return { mime: row.mime, bytes: row.bytes };
}
