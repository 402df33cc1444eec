import { getLocale } from '$lib/paraglide/runtime.js';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** A section heading numbered as the Markdown and DOCX minutes number it: 一、出席情况 / 1. Attendance. */
export function sectionTitle(index: number, title: string): string {
  return getLocale() === 'en'
    ? `${index + 1}. ${title}`
    : `${NUMERALS[index] ?? index + 1}、${title}`;
}
