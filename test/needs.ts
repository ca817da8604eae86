// Which test files need root or the lab's Debian packages: all others make `npm run test:unit` (test/unit.ts).
// A system test says so by its name, `*.system.test.ts`; test/project/needs.test.ts fails when a test file uses
// a root helper or a lab program and is not named so, and when a file named so shows no such need.

/** What marks a system test: its name ends in `.system.test.ts` (`test/lab/udp.system.test.ts`). */
export const SYSTEM_TEST_SUFFIX = '.system.test.ts';

/**
 * Whether `file` is a system test, which `npm run test:unit` leaves out: it needs root (network namespaces,
 * nftables, mount namespaces, chroot) or a program from the Debian packages `.ci/debian-packages` installs.
 * Its name says so; what it needs shows in the helpers it imports and the programs it spawns.
 */
export function isSystemTest(file: string): boolean {
  return file.endsWith(SYSTEM_TEST_SUFFIX);
}

/**
 * Helpers that need root or a lab program: module → the names that do. A new helper of that kind belongs here,
 * so that a test using it cannot land in the unit set unnoticed.
 */
export const SYSTEM_HELPERS: Readonly<Record<string, readonly string[]>> = {
  'test/helpers/netns.ts': ['netnsPair'], // network namespaces, nftables
  'test/helpers/redis.ts': ['startRedis'], // redis-server
  'test/helpers/dnsmasq.ts': ['startDnsmasq'], // dnsmasq
  'test/helpers/lab.ts': ['lab', 'labAsync', 'labUp', 'leftovers', 'killProgram'], // prober lab up/down/test
  'test/cluster/fake/lab.ts': ['clusterLab'], // the fake cluster's pods in network namespaces
  'test/app/fixtures/app.ts': ['runtime', 'command', 'spawnApp', 'startApp', 'runAppToExit'], // the Debian 13 root
  'test/k8s/apache.ts': ['prepareApache', 'configTest', 'startApache', 'startWebdis'], // apache2, webdis
  'app/runtime.ts': ['prepareRuntime'], // debootstrap
  'test/helpers/haproxy.ts': ['startHaproxy'], // haproxy
  'test/helpers/limiters.ts': ['startNginx', 'startHaproxyLimiter'], // nginx, haproxy
  'test/helpers/chromium.ts': ['screenshot', 'dumpDom'], // chromium
};

/** Programs that need root or come from the lab's Debian packages, as a test would spawn them. */
export const SYSTEM_COMMANDS: readonly string[] = [
  'apache2',
  'apache2ctl',
  'chroot',
  'chromium',
  'debootstrap',
  'dnsmasq',
  'fish',
  'haproxy',
  'ip',
  'mount',
  'nft',
  'nginx',
  'qemu-aarch64-static',
  'redis-cli',
  'redis-server',
  'socat',
  'unshare',
  'webdis',
  'zsh',
];
