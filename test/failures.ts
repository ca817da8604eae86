// After a failed `npm test`, says which assertions failed, at the end of the output where a CI log that
// keeps only its tail still shows them. tap keeps each test file's raw TAP in .tap/test-results/; this
// reads them back and prints every failing file with its `not ok` lines and the diagnostics under each
// (cut to a few lines), then the count. It prints nothing when no file failed (a coverage shortfall
// fails the run without a failing assertion) and never changes the run's exit code: the caller keeps it.
//
//   node test/failures.ts [DIR]   # DIR: .tap/test-results by default

import { globSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Lines of diagnostics kept under each failing assertion. */
const DIAGNOSTIC_LINES = 24;

/** The failing assertions of one file's TAP, each with the diagnostics indented under it. */
export function failuresOf(tap: string): string[] {
  const lines = tap.split('\n');
  const found: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const match = /^(\s*)not ok \d+/.exec(line);
    if (match === null || /# (TODO|SKIP)\b/i.test(line)) continue;
    const indent = (match[1] ?? '').length;
    const block = [line.trimEnd()];
    // A parent whose subtests failed is followed by nothing of interest; a leaf by its YAML block.
    for (let j = i + 1; j < lines.length && block.length <= DIAGNOSTIC_LINES; j += 1) {
      const next = lines[j] ?? '';
      const nextIndent = next.length - next.trimStart().length;
      if (next.trim() === '' || nextIndent <= indent) break;
      block.push(next.trimEnd());
    }
    found.push(block.join('\n'));
  }
  return found;
}

function main(): void {
  const dir = process.argv[2] ?? join(import.meta.dirname, '..', '.tap', 'test-results');
  const files = globSync('**/*.tap', { cwd: dir }).sort();
  let count = 0;
  const out: string[] = [];
  for (const file of files) {
    const failures = failuresOf(readFileSync(join(dir, file), 'utf8'));
    if (failures.length === 0) continue;
    count += 1;
    out.push(`\n# failed: ${relative('.', join(dir, file)).replace(/\.tap$/, '')}`, ...failures);
  }
  if (count === 0) return;
  out.push(`\n# ${count} test file${count === 1 ? '' : 's'} failed (their TAP is in ${relative('.', dir)}/)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.main) main();
