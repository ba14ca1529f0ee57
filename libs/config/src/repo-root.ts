import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository (or image) root: the nearest folder above `from` with a package.json, skipping dist/, so
 * files such as catalog/plans.json are found the same way from the sources (tests) and from dist/ (node).
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
