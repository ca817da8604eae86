// The layer check (`npm run lint:layers`) fails on each kind of breach, and on nothing else: a scratch copy
// of src/ gets one of each. (`npm run lint` checks the tree itself.)

import { appendFileSync, copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ROOT, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
  readonly cycle?: readonly { readonly name: string }[];
}

/** The violations depcruise reports for src/ of `dir`, with the repository's own configuration. */
async function violations(t: Test, dir: string): Promise<Violation[]> {
  const run = startProcess([process.execPath, DEPCRUISE, 'src', '--output-type', 'json'], { cwd: dir });
  const exit = await run.exited;
  t.equal(exit.stderr, '', 'depcruise prints nothing on stderr');
  return (JSON.parse(exit.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** A copy of what the check reads: src/, its configuration, and the two files outside src/ the product imports. */
function scratchTree(t: Test): string {
  const dir = tempDir(t, 'layers');
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  for (const file of ['.dependency-cruiser.mjs', 'package.json', 'tsconfig.json']) {
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  mkdirSync(join(dir, 'app'));
  copyFileSync(join(ROOT, 'app', 'command.ts'), join(dir, 'app', 'command.ts'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// Each breach is one line appended to one file: [the rule that must report it, file, line]. Type-only
// imports count (a layer breach even if erased at run time), and so does a lazy `await import()`.
const breaches: [string, string, string][] = [
  ['no-circular', 'src/probe/http.ts', "export const lazyEngine = async () => (await import('./engine.ts')).probeUrl;"],
  ['model-imports-only-model', 'src/model/outcome.ts', "export type { Protocol as Leaked } from '../policy/types.ts';"],
  ['model-and-policy-no-io', 'src/policy/labels.ts', "export { execFile as leakedExec } from 'node:child_process';"],
  ['policy-imports-only-model', 'src/policy/cidr.ts', "export type { ConfigError } from '../config/config-error.ts';"],
  ['policy-packages', 'src/policy/bitset.ts', "export { parse as leakedYaml } from 'yaml';"],
  ['report-imports-only-model', 'src/report/json.ts', "export { labNameProblem } from '../lab/names.ts';"],
  ['lab-imports-only-probe-config-policy', 'src/lab/names.ts', "export { retryTransient } from '../cluster/retry.ts';"],
  ['probe-imports-only-config', 'src/probe/tcp.ts', "export type { RenderOptions } from '../report/formats.ts';"],
  ['nothing-imports-cli', 'src/config/read-input.ts', "export { runFlags } from '../cli/options.ts';"],
  [
    'only-cli-imports-orchestration',
    'src/cluster/retry.ts',
    "export { orchestrate } from '../orchestration/orchestrate.ts';",
  ],
  ['policy-through-its-index', 'src/config/schemas.ts', "export { predictTest } from '../policy/predict.ts';"],
  ['cli-imports-of-backends', 'src/cli/output.ts', "export { retryTransient } from '../cluster/retry.ts';"],
];

t.test('every kind of breach fails the check, each from its own file, and nothing else does', async (t) => {
  const dir = scratchTree(t);
  // The rule about orchestration/ must hold for any file of it, existing or new.
  mkdirSync(join(dir, 'src', 'orchestration'), { recursive: true });
  writeFileSync(join(dir, 'src', 'orchestration', 'orchestrate.ts'), 'export const orchestrate = 1;\n');
  for (const [, file, line] of breaches) appendFileSync(join(dir, file), `${line}\n`);
  const found = await violations(t, dir);
  for (const [rule, file, line] of breaches) {
    const reported = found.some(
      (v) => v.rule.name === rule && (v.from === file || (v.cycle ?? []).some((step) => step.name === file)),
    );
    t.ok(reported, `${rule}: ${file} ← ${line}`);
  }
  // The copy itself breaks no rule: every violation found comes from a planted line (some lines break a
  // general rule and a specific one), so a copy that misses a file or a package cannot pass this test by
  // reporting everything.
  const planted = (v: Violation) =>
    breaches.some(([, file]) => v.from === file || (v.cycle ?? []).some((step) => step.name === file));
  t.same(
    found.filter((v) => !planted(v)).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
    'no violation but the planted ones',
  );
});
