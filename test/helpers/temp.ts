// Temporary directories for tests: unique, recognisable, and removed when the test ends.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Teardown } from './netns.ts';

/** A fresh directory `prober-test-<what>-…` under the system's temp dir, removed at teardown. */
export function tempDir(t: Teardown, what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `prober-test-${what}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
