// What every command loads before it runs: the bundle's modules reached from src/cli/process-run.ts through
// static imports (esbuild runs those at start-up; a dynamic `import()` runs when a command gets there).
// `prober --version`, an agent in a pod and `probe` pay for all of it, so heavy parts stay out.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';

interface Metafile {
  readonly inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

const BUNDLE = join(ROOT, 'dist', 'prober.cjs');
const meta = JSON.parse(readFileSync(`${BUNDLE}.meta.json`, 'utf8')) as Metafile;

/** Modules and Node built-ins loaded at start-up: the static-import closure of `entry`. */
function startUpModules(entry = 'src/cli/process-run.ts'): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    // build.mjs's stand-ins (namespace `lazy-…`) require their module only when it is first used.
    if (file.startsWith('lazy-')) continue;
    for (const { path, kind, external } of meta.inputs[file]?.imports ?? [])
      if (kind !== 'dynamic-import') external ? seen.add(path) : queue.push(path);
  }
  return seen;
}

t.test('start-up loads neither the policy layer, the Kubernetes client nor heavy Node modules', async (t) => {
  const modules = [...startUpModules()];
  t.ok(modules.includes('src/cli/program.ts'), 'the walk follows the entry point');
  t.same(
    modules.filter((path) =>
      /^src\/(policy|config\/(?!config-error)|orchestration\/(?!interrupts|usage-error|version))/.test(path),
    ),
    [],
    'no policy layer, config loading or command implementation',
  );
  t.same(
    modules.filter((path) => /node_modules\/(@kubernetes|undici|yaml|js-yaml|ipaddr)/.test(path)),
    [],
    'no Kubernetes client, HTTP client, YAML parser or address library',
  );
  // node:child_process comes with net, dgram and the stream modules; commander gets a lazy stand-in.
  t.same(
    modules.filter((path) => /^node:(crypto|zlib|dns|dns\/promises|child_process|sea|net|http|https|tls)$/.test(path)),
    [],
    'no Node module start-up does not need',
  );
});

t.test('the entry point loads only what a bare --version needs, every command after it', async (t) => {
  // main.ts prints `--version` itself; every other command line goes on to process-run.ts by a dynamic import.
  t.same([...startUpModules('src/cli/main.ts')].sort(), [
    'node:fs',
    'package.json',
    'src/cli/main.ts',
    'src/cli/output.ts',
    'src/cli/version-line.ts',
    'src/orchestration/version.ts',
    'src/probe/lookup.ts',
  ]);
  t.ok(
    meta.inputs['src/cli/main.ts']?.imports.some(
      (i) => i.path === 'src/cli/process-run.ts' && i.kind === 'dynamic-import',
    ),
    'the commands come by a dynamic import',
  );
});

t.test('a one-shot agent loads neither the HTTP client nor zlib before it needs them', async (t) => {
  // node:http only for a plan with a sidecar proxy to wait for; node:zlib only for $PROBER_PLAN_GZ.
  const modules = [...startUpModules('src/orchestration/agent.ts')];
  t.ok(modules.includes('src/probe/engine.ts'), 'the walk follows the agent');
  t.same(
    modules.filter((path) => /^node:(http|https|zlib)$/.test(path)),
    [],
  );
});

t.test('the bundle is ASCII: one other character makes V8 hold the whole source as UTF-16', async (t) => {
  const text = readFileSync(BUNDLE, 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  t.equal(at, -1, at < 0 ? 'ASCII only' : `non-ASCII near ${JSON.stringify(text.slice(at - 40, at + 10))}`);
});

t.test('the start bundle holds the start commands only: no policy layer, cluster client or lab', async (t) => {
  const start = JSON.parse(readFileSync(join(ROOT, 'dist', 'prober-start.cjs.meta.json'), 'utf8')) as Metafile;
  const inputs = Object.keys(start.inputs);
  t.ok(inputs.includes('src/cli/command-table-start.ts'), 'its command table is the start one');
  t.notOk(inputs.includes('src/cli/command-table.ts'), 'not the full one');
  t.same(
    inputs.filter(
      (path) =>
        /^src\/(policy|cluster\/(?!cluster-error)|lab)\//.test(path) ||
        /^src\/cli\/commands\/(?!agent|probe)/.test(path) ||
        /node_modules\/(@kubernetes|undici|js-yaml|ipaddr|ws)\//.test(path),
    ),
    [],
  );
  t.ok(meta.inputs['src/cli/command-table.ts'], 'the full bundle has every command');
});

t.test('no bundle keeps a dynamic import: the binary compiles them as scripts, which have no loader', async (t) => {
  // esbuild leaves `import("node:tls")` as it is; process.getBuiltinModule is how a built-in comes late.
  for (const name of ['prober.cjs', 'prober-start.cjs']) {
    const text = readFileSync(join(ROOT, 'dist', name), 'latin1');
    const at = text.search(/(?<![\w$.])import\(/);
    t.equal(at, -1, at < 0 ? `${name}: none` : `${name}: near ${JSON.stringify(text.slice(at - 60, at + 30))}`);
  }
});
