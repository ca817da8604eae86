// Builds the command line that runs the bundled time app inside the prepared Debian 13 root.
import { homedir } from 'node:os';
import path from 'node:path';

/** Cache directory of the runtime: `$PROBER_CACHE_DIR`, else `~/.cache/prober`. */
export function defaultCacheDir(): string {
  return process.env.PROBER_CACHE_DIR || path.join(homedir(), '.cache', 'prober');
}

/** Where the prepared Debian 13 root lives in a cache directory. */
export function rootfsIn(cacheDir: string): string {
  return path.join(cacheDir, 'trixie-rootfs');
}

/** Path of the Node 24 binary inside the root. */
export const NODE_IN_ROOT = '/usr/local/bin/node';

/** The environment variables the app reads; only these are passed into the root. */
export const APP_ENV_KEYS = ['REDIS_ENDPOINT', 'REDIS_PORT', 'PORT', 'REDIS_PASSWORD', 'POD_NAME'] as const;

/** What {@link appCommand} needs. */
export interface AppCommandOptions {
  /** The root from `prepareRuntime()`. */
  readonly rootfs: string;
  /** The built bundle (server.cjs + uWS binary): `dist/app` of the repository or next to the binary. */
  readonly appDir: string;
  /** Source of the app's variables ({@link APP_ENV_KEYS}); other variables are ignored. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `uid:gid` the app runs as; default 65534:65534 (nobody), like the image's non-root user. */
  readonly user?: string;
}

/** A ready-to-spawn command: pass `argv` and exactly `env` (not merged with yours). */
export interface AppCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

// Runs in the caller's mount namespace copy (unshare --mount): nothing leaks to the host, and
// all of it disappears when the app exits. /etc/hosts and /etc/resolv.conf are whatever the
// caller sees — under `ip netns exec NS` that is /etc/netns/NS/{hosts,resolv.conf} — so the
// app resolves names exactly like other programs in that namespace. Every step ends in exec,
// so the app keeps the caller's process id and receives its signals directly.
// NODE_OPTIONS is dropped even if a wrapper (e.g. a test runner's spawn hook) adds it back:
// it would name host files that do not exist inside the root.
const MOUNT_SCRIPT = `set -e
root=$1 app=$2 user=$3
unset NODE_OPTIONS
mount --bind "$app" "$root/app"
mount -o remount,bind,ro "$root/app"
for file in hosts resolv.conf; do
  if [ -e "/etc/$file" ]; then mount --bind "/etc/$file" "$root/etc/$file"; fi
done
mount -t proc proc "$root/proc"
exec chroot --userspec="$user" "$root" ${NODE_IN_ROOT} /app/server.cjs`;

// Enough for unshare, mount and chroot outside, and for anything the app spawns inside.
const PATH_VALUE = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The command running the time app (as shipped in `dist/app`) on the root's Node 24:
 * `unshare --mount … sh -c <mounts> … chroot ROOTFS /usr/local/bin/node /app/server.cjs`.
 * Needs root (mount namespaces, chroot). Prefix it with `ip netns exec NS` to run the app in
 * a network namespace. Pure: it checks nothing on disk.
 */
export function appCommand(options: AppCommandOptions): AppCommand {
  const { appDir } = options;
  if (!path.isAbsolute(options.rootfs) || !path.isAbsolute(appDir)) {
    throw new Error(`appCommand needs absolute paths, got rootfs=${options.rootfs} appDir=${appDir}`);
  }
  const user = options.user ?? '65534:65534';
  const env: Record<string, string> = { PATH: PATH_VALUE, NODE_ENV: 'production' };
  for (const key of APP_ENV_KEYS) {
    const value = options.env?.[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    argv: [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      MOUNT_SCRIPT,
      'time-app',
      options.rootfs,
      appDir,
      user,
    ],
    env,
  };
}
