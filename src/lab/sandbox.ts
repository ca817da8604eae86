// How the lab runs a manifest-configured program without root: an unused uid, and a mount namespace
// where everything but the program's own directories is read-only.

/**
 * The uid and gid of the lab's programs: unused on the host (no passwd entry, owns no file outside
 * the lab), the "nonroot" id of distroless images and the id prober's own Job runs as.
 */
export const LAB_UID = 65532;
export const LAB_GID = 65532;

/** What runs a confined program: util-linux's unshare and setpriv, on every Linux host the lab runs on. */
export const SANDBOX_NEEDS = [
  { program: 'unshare', install: 'apt-get install util-linux' },
  { program: 'setpriv', install: 'apt-get install util-linux' },
] as const;

// Still root, in a mount namespace of its own (nothing it does reaches the host's mounts):
// 1. every mount point becomes read-only (mountinfo escapes spaces and the like as \NNN octal,
//    which printf %b turns back; a mount point that cannot be made read-only stops the program:
//    the confinement fails closed), except one gone since mountinfo was read (another lab's network
//    namespace deleted meanwhile): no path reaches it any more;
// 2. the program's own directories are bound over themselves and made writable again;
// 3. setpriv drops to the lab's uid with no groups, no capabilities (inheritable, ambient or in
//    the bounding set) and no_new_privs, so no setuid binary brings root back; then execs the
//    program, which keeps the PID the lab recorded.
// Files already open stay as they were: the log on stdout/stderr (owned by the lab's uid) remains
// writable, so `ErrorLog /proc/self/fd/2` or `"logfile": "/dev/stderr"` work.
// Ports below 1024 need no capability: the pod's network namespace lets any user bind them (see
// createPod), as containerd sets up pods.
const SCRIPT = `set -e
uid=$1 gid=$2; shift 2
while read -r _ _ _ _ point _; do
  point=$(printf '%b' "$point")
  mount -o remount,bind,ro "$point" || [ ! -e "$point" ] ||
    { echo "prober lab: unable to make $point read-only" >&2; exit 126; }
done < /proc/self/mountinfo
while [ "$1" != -- ]; do
  mount --bind "$1" "$1"
  mount -o remount,bind,rw "$1"
  shift
done
shift
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"`;

/**
 * The command line that runs `argv` as LAB_UID:LAB_GID with only `writable` (absolute directories,
 * owned by that uid) writable. Needs root; prefix it with `ip netns exec NS` to put it in a pod.
 */
export function confinedArgv(writable: readonly string[], argv: readonly string[]): string[] {
  for (const dir of writable)
    if (!dir.startsWith('/')) throw new Error(`a writable directory must be absolute: ${dir}`);
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    SCRIPT,
    'prober-lab-sandbox',
    String(LAB_UID),
    String(LAB_GID),
    ...writable,
    '--',
    ...argv,
  ];
}
