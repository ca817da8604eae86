// Which test files need root or the lab's Debian packages: all others make `npm run test:unit` (test/unit.ts).
// test/project/needs.test.ts fails when a test file uses a root helper or a lab program and is not listed here.

/**
 * The test files `npm run test:unit` leaves out, each with what it needs. Root is for network namespaces,
 * nftables, mount namespaces and chroot; the programs are Debian packages that `.ci/debian-packages` installs.
 */
export const SYSTEM_TESTS: Readonly<Record<string, string>> = {
  'test/app/concurrency.test.ts': 'redis-server; the time app in its Debian 13 root (root: mount namespace, chroot)',
  'test/app/config.test.ts': 'the time app in its Debian 13 root (root: mount namespace, chroot)',
  'test/app/outage.test.ts': 'redis-server; the time app in its Debian 13 root (root)',
  'test/app/routes.test.ts': 'redis-server; the time app in its Debian 13 root (root)',
  'test/app/runtime.test.ts': 'debootstrap, the Debian 13 root, network namespaces (root)',
  'test/app/shutdown.test.ts': 'redis-server; the time app in its Debian 13 root (root)',
  'test/cli/binary.test.ts': 'redis-server',
  'test/cli/completion.test.ts': 'zsh and fish, which load the completion scripts',
  'test/cluster/adoption.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/cleanup.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-admission.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-pod-size.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-quota.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-agents.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-access.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-api-errors.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/faults-workloads.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/from-policies-cnp.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/from-policies.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/interrupt.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/lab.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/probe-pod-endpoints.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/mesh-membership.test.ts': 'the fake cluster lab and its mesh: network namespaces, nftables (root)',
  'test/cluster/mesh-proxy-wait.test.ts': 'the fake cluster lab and its mesh: network namespaces, nftables NAT (root)',
  'test/cluster/own-image.test.ts': 'the fake cluster lab (root); unshare --mount',
  'test/cluster/rbac.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/log-rotation.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/graceful-delete.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/agent-delays.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/agent-memory.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/agent-placement.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/agent-platform.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/host-network.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/limit-ranges.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/pdb.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/cluster/rbac-modes.test.ts': 'the fake cluster lab: network namespaces, nftables, redis-server (root)',
  'test/config/lab-profile.test.ts':
    'prober lab up with bad profiles: refused before anything is made, but lab up needs root',
  'test/k8s/apache.test.ts': 'apache2, webdis, redis-server',
  'test/lab/cluster-dns.test.ts': 'prober lab with dnsmasq as the cluster DNS: network namespaces, nftables (root)',
  'test/lab/cluster-network-policy.test.ts':
    'prober lab enforcing ClusterNetworkPolicy: network namespaces, nftables (root)',
  'test/lab/demo-profile.test.ts': 'prober lab demo from a second profile: network namespaces, nftables (root)',
  'test/lab/dualstack.test.ts': 'prober lab over IPv4 and IPv6: network namespaces, nftables, redis-server (root)',
  'test/lab/lab-dir.test.ts': 'prober lab down, which checks for root before it touches anything',
  'test/lab/interrupt.test.ts': 'prober lab: network namespaces, nftables, the lab programs (root)',
  'test/lab/lifecycle.test.ts': 'prober lab: network namespaces, nftables, the lab programs (root)',
  'test/lab/no-profile.test.ts':
    'prober lab with the repository manifests and no profile: network namespaces, nftables, lab programs (root)',
  'test/lab/safety.test.ts': 'prober lab: network namespaces, nftables, the lab programs (root)',
  'test/lab/seed.test.ts': "prober lab with the seed's manifests: all the lab programs and the time app (root)",
  'test/lab/synthetic.test.ts': 'prober lab: network namespaces, nftables (root)',
  'test/probe/family-fallback.test.ts': 'a network namespace with its own hosts file and nftables (root)',
  'test/lab/non-root.test.ts': "the repository's lab as root, then every lab subcommand as nobody (setpriv)",
  'test/lab/unsupported.test.ts': 'prober lab up (root), refusing manifests before anything is made, and one lab',
  'test/lab/unprivileged.test.ts':
    'prober lab with httpd, webdis and redis-server as an unprivileged uid: network and mount namespaces (root)',
  'test/probe/family.test.ts': 'a network namespace with its own hosts file (root)',
  'test/lab/udp.test.ts': 'prober lab: network namespaces, nftables (root)',
  'test/probe/dns-deadline-netns.test.ts': 'network namespaces and nftables (root)',
  'test/probe/dns-netns.test.ts': 'dnsmasq; network namespaces and nftables (root)',
  'test/probe/dns-server.test.ts': 'dnsmasq',
  'test/probe/local-errors-netns.test.ts': 'network namespaces, routes and nftables (root)',
  'test/probe/netns.test.ts': 'network namespaces and nftables (root)',
  'test/probe/outcomes.test.ts': 'redis-server',
  'test/probe/settle-burst.test.ts': 'haproxy with 4,096 connections in flight',
  'test/probe/settle-haproxy.test.ts': 'haproxy',
  'test/probe/udp-netns.test.ts': 'network namespaces and nftables (root); socat as a foreign UDP echo server',
  'test/release/arm64.test.ts': 'qemu-user-static and the arm64 glibc/libstdc++ cross packages, to run the arm64 build',
  'test/report/chromium.test.ts': 'chromium (headless), to draw -o svg and -o html',
};

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
  'qemu-aarch64-static',
  'redis-cli',
  'redis-server',
  'socat',
  'unshare',
  'webdis',
  'zsh',
];
