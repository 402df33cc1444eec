/** Longest side and quality of photos as the browser sends them (the server re-encodes again). */
const SIDE = 1280;
const QUALITY = 0.8;

/**
 * Shrinks a photo from the phone's camera to a JPEG of at most 1280 px on its longer side, so that
 * a 6 MB picture travels as a few hundred kB over a weak connection. Null when it is no image the
 * browser can read.
 */
export async function resizePhoto(file: File): Promise<Blob | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  const scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((done) => canvas.toBlob((blob) => done(blob), 'image/jpeg', QUALITY));
}
