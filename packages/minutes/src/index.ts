export * from './types.ts';
export * from './text.ts';
export { toBlocks, noteBlocks, inlineText } from './rich.ts';
export { buildMinutes, chinaTime, MINUTES_TIME_ZONE } from './build.ts';
export { renderMarkdown, escapeMarkdown } from './markdown.ts';
export { renderDocx } from './docx.ts';
export { minutesFileName, contentDisposition } from './filename.ts';
export * from './api.ts';
export * from './charter.ts';
