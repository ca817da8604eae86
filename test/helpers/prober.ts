// How tests start prober: from source on the test's own Node 24, or as the built single binary.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The built binary (npm test builds it before running tests). */
export const BINARY = join(ROOT, 'dist', 'prober');

/** argv to run prober from source: [node, main.ts]. */
export function proberFromSource(): [string, string] {
  return [process.execPath, join(ROOT, 'src', 'cli', 'main.ts')];
}

/** Fails early with a clear message when the binary was not built. */
export function requireBinary(): string {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first (npm test does)`);
  return BINARY;
}
