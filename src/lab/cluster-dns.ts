// The lab's cluster DNS, as in a cluster: a `kube-dns` Service in `kube-system` whose pod (labelled
// `k8s-app: kube-dns`, in its own network namespace) runs dnsmasq, serving the lab's names only.

import { join } from 'node:path';
import { configErrorAt } from '../config/config-error.ts';
import type { ClusterInput } from '../policy/index.ts';
import type { ProgramSpec } from './programs/program.ts';
import type { ManifestInput } from './topology.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/**
 * The namespace, Service, labels and address of the cluster DNS, as kubeadm clusters name them. The
 * Service is dual-stack like every lab Service: 10.96.0.10 and its IPv6 pair fd00:10:96::a.
 */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  service: 'kube-dns',
  workload: 'kube-dns',
  container: 'dnsmasq',
  labels: { 'k8s-app': 'kube-dns' },
  clusterIp: '10.96.0.10',
  domain: 'cluster.local',
} as const;

/** Where the lab's own objects come from, in messages and in the topology's `source` fields. */
const CLUSTER_DNS_SOURCE = 'the lab (cluster DNS)';

/** The Service's full name, the one readiness asks for. */
const CLUSTER_DNS_NAME = `${CLUSTER_DNS.service}.${CLUSTER_DNS.namespace}.svc.${CLUSTER_DNS.domain}`;

/**
 * The objects a cluster has before anyone applies anything: the kube-system namespace (unless the
 * manifests declare it), the DNS Deployment and its Service on 53/UDP and 53/TCP at the fixed address
 * pods' resolv.conf names. Manifests that bring their own kube-system/kube-dns are refused: the lab
 * provides it.
 */
export function clusterDnsObjects(manifests: readonly ManifestInput[]): ManifestInput[] {
  const meta = (m: ManifestInput): Record<string, unknown> =>
    ((m.value as { metadata?: Record<string, unknown> } | null)?.metadata ?? {}) as Record<string, unknown>;
  const kindOf = (m: ManifestInput): unknown => (m.value as { kind?: unknown } | null)?.kind;
  const clash = manifests.find(
    (m) =>
      kindOf(m) === 'Service' && meta(m).namespace === CLUSTER_DNS.namespace && meta(m).name === CLUSTER_DNS.service,
  );
  if (clash)
    throw configErrorAt(
      clash.source,
      'metadata.name',
      `the lab provides the cluster DNS Service ${CLUSTER_DNS.namespace}/${CLUSTER_DNS.service} itself; leave it out of the lab's manifests`,
    );
  const hasNamespace = manifests.some((m) => kindOf(m) === 'Namespace' && meta(m).name === CLUSTER_DNS.namespace);
  const ports = [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ];
  const objects: unknown[] = [
    ...(hasNamespace ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLUSTER_DNS.namespace } }]),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: CLUSTER_DNS.workload, namespace: CLUSTER_DNS.namespace, labels: CLUSTER_DNS.labels },
      spec: {
        selector: { matchLabels: CLUSTER_DNS.labels },
        template: {
          metadata: { labels: CLUSTER_DNS.labels },
          spec: { containers: [{ name: CLUSTER_DNS.container, image: 'dnsmasq', ports }] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: CLUSTER_DNS.service, namespace: CLUSTER_DNS.namespace, labels: CLUSTER_DNS.labels },
      spec: {
        clusterIP: CLUSTER_DNS.clusterIp,
        selector: CLUSTER_DNS.labels,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
  ];
  return objects.map((value) => ({ value, source: CLUSTER_DNS_SOURCE }));
}

/** The DNS pod of a lab topology (the one the lab added), if any. */
export function clusterDnsPod(topology: LabTopology): LabPod | undefined {
  return topology.pods.find((p) => p.source === CLUSTER_DNS_SOURCE);
}

/**
 * Every name the DNS server answers, each with its list of addresses: the Services' cluster names
 * (their virtual IPs of both families; a headless Service's pods' addresses) and the Ingress hosts.
 * A name with several addresses gets several records; an IPv6 address becomes an AAAA record.
 */
export function dnsRecords(topology: LabTopology): Map<string, string[]> {
  const records = new Map<string, string[]>();
  const add = (name: string, address: string): void => {
    const list = records.get(name) ?? [];
    if (!list.includes(address)) list.push(address);
    records.set(name, list);
  };
  for (const service of topology.services) {
    const full = service.dnsNames.find((n) => n.endsWith(`.svc.${CLUSTER_DNS.domain}`));
    if (!full) continue;
    // A headless Service's name answers with its pods' addresses, one record each.
    const addresses =
      service.clusterIp === 'None'
        ? service.ports.flatMap((p) => p.endpoints.flatMap((e) => e.ips))
        : service.clusterIps;
    for (const address of addresses) add(full, address);
  }
  for (const extra of topology.extraHosts) for (const ip of extra.ips) add(extra.name, ip);
  return records;
}

/** The records in hosts-file form (one line per address), which dnsmasq reads with `addn-hosts`. */
export function recordsFile(records: ReadonlyMap<string, readonly string[]>): string {
  const lines = [...records].flatMap(([name, addresses]) => addresses.map((address) => `${address} ${name}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The dnsmasq configuration: nothing read from the host (no /etc/resolv.conf, no /etc/hosts, no
 * upstream server), answers only on the pod's addresses (IPv4 and IPv6), records from the lab's own file. Unknown names
 * in the cluster domain are NXDOMAIN (`local=`), and so is every other name (`address=/#/`): the lab
 * is closed, nothing is forwarded.
 */
export function dnsmasqConfig(pod: LabPod, dir: string): string {
  return [
    'no-resolv',
    'no-hosts',
    'no-poll',
    `addn-hosts=${join(dir, 'records')}`,
    `listen-address=${pod.ips.join(',')}`,
    'bind-interfaces',
    'port=53',
    `local=/${CLUSTER_DNS.domain}/`,
    'address=/#/',
    'user=root',
    'group=root',
    `pid-file=${join(dir, 'dnsmasq.pid')}`,
    'log-facility=-',
    '',
  ].join('\n');
}

/** The program of the DNS pod: dnsmasq in the foreground with only the lab's configuration. */
export function clusterDnsProgram(topology: LabTopology, pod: LabPod, dir: string): ProgramSpec {
  const config = join(dir, 'dnsmasq.conf');
  return {
    pod: pod.name,
    container: CLUSTER_DNS.container,
    kind: 'dns',
    // On the command line too, so no default configuration file is ever read.
    argv: [
      'dnsmasq',
      `--conf-file=${config}`,
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
    ],
    env: {},
    files: [
      { path: config, content: dnsmasqConfig(pod, dir) },
      { path: join(dir, 'records'), content: recordsFile(dnsRecords(topology)) },
    ],
    dirs: [dir],
    links: [],
    // Resolved from the node through this server: a real answer, not an open port.
    ready: [`dns://${CLUSTER_DNS_NAME}`],
    needs: [{ program: 'dnsmasq', install: 'apt-get install dnsmasq-base' }],
  };
}

/**
 * A pod's resolv.conf, as kubelet writes it for `dnsPolicy: ClusterFirst`: one nameserver, the DNS
 * Service's IPv4 address (kubelet's clusterDNS holds the Service's first ClusterIP; a second
 * nameserver would let a lookup the policies block over one family quietly succeed over the other,
 * after a second's wait). The answers carry both families either way. The short timeout keeps a
 * lookup the policies block from holding a resolver thread for tens of seconds (the search list
 * multiplies every wait); the lab's network loses no packets, so one try is enough.
 */
export function podResolvConf(namespace: string): string {
  const d = CLUSTER_DNS.domain;
  return [
    `nameserver ${CLUSTER_DNS.clusterIp}`,
    `search ${namespace}.svc.${d} svc.${d} ${d}`,
    'options ndots:5 timeout:1 attempts:1',
    '',
  ].join('\n');
}

/**
 * The node's resolv.conf: straight to the DNS pod's IPv4 address (the node has no Service NAT) with
 * no search list, so the node resolves full names the lab serves, A and AAAA, and nothing of the host's.
 */
export function nodeResolvConf(dnsPod: LabPod | undefined): string {
  return `nameserver ${dnsPod?.ip ?? '127.0.0.1'}\noptions timeout:1 attempts:1\n`;
}

/**
 * The cluster DNS as the policy engine sees it: the kube-system namespace, the DNS pod's workload
 * with its address and ports, and the kube-dns Service. Policies that allow DNS by namespace and pod
 * selector (or deny it) then decide its traffic like any other pod's.
 */
export function clusterDnsModel(
  topology: LabTopology,
): Required<Pick<ClusterInput, 'namespaces' | 'workloads' | 'services'>> {
  const pod = clusterDnsPod(topology);
  const service = topology.services.find((s) => s.clusterIp === CLUSTER_DNS.clusterIp);
  if (!pod || !service) return { namespaces: [], workloads: [], services: [] };
  const namespace = topology.namespaces.find((n) => n.name === CLUSTER_DNS.namespace);
  return {
    namespaces: [
      {
        name: CLUSTER_DNS.namespace,
        labels: namespace?.labels ?? { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace },
      },
    ],
    workloads: [
      {
        namespace: pod.namespace,
        name: CLUSTER_DNS.workload,
        kind: 'Deployment',
        labels: pod.labels,
        ports: pod.containers.flatMap((c) =>
          c.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: p.protocol })),
        ),
        ips: [...pod.ips],
        // Istio never injects kube-system: `--assume-mesh` leaves the cluster DNS without a sidecar.
        mesh: false,
        source: CLUSTER_DNS_SOURCE,
      },
    ],
    services: [
      {
        namespace: service.namespace,
        name: service.name,
        selector: { ...CLUSTER_DNS.labels },
        ports: service.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol })),
        clusterIP: service.clusterIp,
        source: CLUSTER_DNS_SOURCE,
      },
    ],
  };
}
