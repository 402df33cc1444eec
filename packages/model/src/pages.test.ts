import { describe, expect, it } from 'vitest';
import { isEmbeddablePage } from './pages.ts';

describe('isEmbeddablePage', () => {
  it('lets the public board, its poster and a draw’s verification page be framed, nothing else', () => {
    for (const path of ['/c/abc/board', '/c/abc/poster/', '/d/k3x7aa2mq4', '/d/k3x7aa2mq4/']) expect(isEmbeddablePage(path), path).toBe(true);
    for (const path of ['/m/abc', '/m/abc/board', '/d/', '/d/abc/edit', '/dx/abc', '/c/abc/units', '/']) expect(isEmbeddablePage(path), path).toBe(false);
  });
});
