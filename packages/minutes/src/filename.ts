import type { Minutes } from './types.ts';

/** Characters no file system or browser accepts in a name, and control characters. */
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]+/g;

/** The download name, e.g. 会议纪要-11月楼长有话说-2025-11-20.docx (title trimmed to 60 characters). */
export function minutesFileName(minutes: Minutes, extension: 'docx' | 'md'): string {
  const title = [...minutes.title.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim()].slice(0, 60).join('') || minutes.meetingId;
  return `${minutes.heading}-${title}-${minutes.isoDate}.${extension}`;
}

/** A Content-Disposition value with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const extension = fileName.slice(fileName.lastIndexOf('.'));
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="minutes${extension}"; filename*=UTF-8''${encoded}`;
}
