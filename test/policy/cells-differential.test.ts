// Differential test: on hundreds of seeded random clusters, every matrix cell's decision (verdict from the
// bitset matrix, explanation per class) equals the explaining engine's per-cell decision, and so do the
// verdict and the denying side the bitset matrix gives alone.
import t from 'tap';
import { buildModel, type ClusterInput, type Model, type Protocol } from '../../src/policy/index.ts';

/** mulberry32: a small seeded generator, so a failing cluster is reproduced from its seed alone. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const some = <T>(r: Rand, max: number, make: () => T): T[] => Array.from({ length: Math.floor(r() * (max + 1)) }, make);

const NS = ['x', 'y', 'z'];
const PORTS: readonly { port: number; protocol: Protocol }[] = [
  { port: 80, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
  { port: 81, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
];

const labelSel = (r: Rand): object =>
  pick(r, [
    {},
    { matchLabels: { app: pick(r, ['a', 'b', 'c']) } },
    { matchLabels: { tier: pick(r, ['0', '1']) } },
    { matchExpressions: [{ key: 'tier', operator: pick(r, ['In', 'NotIn']), values: ['0'] }] },
    { matchExpressions: [{ key: 'app', operator: pick(r, ['Exists', 'DoesNotExist']) }] },
  ]);
const nsSel = (r: Rand): object =>
  pick(r, [{}, { matchLabels: { ns: pick(r, NS) } }, { matchLabels: { env: pick(r, ['dev', 'prod']) } }]);
const block = (r: Rand): object =>
  pick(r, [
    { cidr: '10.0.0.0/16', except: [pick(r, ['10.0.1.0/24', '10.0.2.0/25', '10.0.0.0/30'])] },
    { cidr: '10.0.1.0/24', except: ['10.0.1.0/30'] },
    { cidr: pick(r, ['10.0.0.0/16', '10.0.1.0/24', '0.0.0.0/0']) },
  ]);
const npPeer = (r: Rand): object =>
  pick(r, [
    () => ({ podSelector: labelSel(r) }),
    () => ({ namespaceSelector: nsSel(r) }),
    () => ({ namespaceSelector: nsSel(r), podSelector: labelSel(r) }),
    () => ({ ipBlock: block(r) }),
  ])();
const npPorts = (r: Rand): object[] =>
  pick(r, [
    [],
    [{ port: 'http' }],
    [{ port: 80 }],
    [{ port: 80, endPort: 90 }],
    [{ port: 53, protocol: 'UDP' }],
    [{ port: 'dns', protocol: 'UDP' }, { port: 81 }],
  ]);
const npRule = (r: Rand, side: 'from' | 'to'): object => {
  const peers = some(r, 2, () => npPeer(r));
  const ports = npPorts(r);
  return { ...(peers.length > 0 ? { [side]: peers } : {}), ...(ports.length > 0 ? { ports } : {}) };
};
const anpPeer = (r: Rand, egress: boolean): object =>
  pick(r, [
    () => ({ namespaces: nsSel(r) }),
    () => ({ pods: { namespaceSelector: nsSel(r), podSelector: labelSel(r) } }),
    ...(egress ? [() => ({ networks: [pick(r, ['10.0.0.0/16', '10.0.1.0/24'])] })] : []),
  ])();
const anpRules = (r: Rand, egress: boolean, actions: readonly string[]): object[] =>
  some(r, 2, () => ({
    name: `r${Math.floor(r() * 1000)}`,
    action: pick(r, actions),
    [egress ? 'to' : 'from']: [anpPeer(r, egress)],
    ...(r() < 0.3 ? { ports: [{ portNumber: { port: 80, protocol: 'TCP' } }] } : {}),
  }));
const anpSubject = (r: Rand): object =>
  r() < 0.5 ? { namespaces: nsSel(r) } : { pods: { namespaceSelector: nsSel(r), podSelector: labelSel(r) } };
const api = 'policy.networking.k8s.io/v1alpha1';

/** A small random cluster: up to 3 namespaces and 7 workloads; NetworkPolicies, (B)ANPs, CNPs, Istio policies. */
function randomCluster(seed: number, size?: number): ClusterInput {
  const r = random(seed);
  const namespaces = NS.slice(0, 1 + Math.floor(r() * 3)).map((name) => ({
    name,
    labels: { ns: name, env: pick(r, ['dev', 'prod']) },
  }));
  const workloads = Array.from({ length: size ?? 2 + Math.floor(r() * 6) }, (_, i) => {
    const ns = pick(r, namespaces).name;
    const ports = [
      ...(r() < 0.6 ? [{ name: 'http', port: pick(r, [80, 8080]) }] : []),
      ...(r() < 0.3 ? [{ name: 'dns', port: 53, protocol: 'UDP' as const }] : []),
      ...(r() < 0.3 ? [{ port: 81 }] : []),
    ];
    return {
      namespace: ns,
      name: `w${i}`,
      labels: { app: pick(r, ['a', 'b', 'c']), tier: pick(r, ['0', '1']) },
      serviceAccount: pick(r, ['default', 'sa1']),
      ports,
      ...(r() < 0.6 ? { ips: [`10.0.${NS.indexOf(ns)}.${i + 1}`] } : {}),
      mesh: r() < 0.3,
    };
  });
  const policies: object[] = some(r, 4, () => {
    const types = pick(r, [['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `np${Math.floor(r() * 1e6)}`, namespace: pick(r, namespaces).name },
      spec: {
        podSelector: labelSel(r),
        policyTypes: types,
        ...(types.includes('Ingress') ? { ingress: some(r, 2, () => npRule(r, 'from')) } : {}),
        ...(types.includes('Egress') ? { egress: some(r, 2, () => npRule(r, 'to')) } : {}),
      },
    };
  });
  for (let i = 0, n = Math.floor(r() * 4); i < n; i++)
    policies.push({
      apiVersion: api,
      kind: 'AdminNetworkPolicy',
      metadata: { name: `anp${i}` },
      spec: {
        // Equal priorities are common: tied policies are walked each, by both engines.
        priority: pick(r, [1, 1, 2]),
        subject: anpSubject(r),
        ingress: anpRules(r, false, ['Allow', 'Deny', 'Pass']),
        egress: anpRules(r, true, ['Allow', 'Deny', 'Pass']),
      },
    });
  // ClusterNetworkPolicies of one tier and priority have no order: the tied walk of both engines.
  for (let i = 0, n = Math.floor(r() * 3); i < n; i++) {
    const rules = (egress: boolean): object[] =>
      anpRules(r, egress, ['Accept', 'Deny', 'Pass']).map(({ ports: _, ...rule }: { ports?: unknown }) => rule);
    policies.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: `cnp${i}` },
      spec: {
        tier: pick(r, ['Admin', 'Baseline']),
        priority: pick(r, [1, 1, 2]),
        subject: anpSubject(r),
        ingress: rules(false),
        egress: rules(true),
      },
    });
  }
  if (r() < 0.3)
    policies.push({
      apiVersion: api,
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: {
        subject: anpSubject(r),
        ingress: anpRules(r, false, ['Allow', 'Deny']),
        egress: anpRules(r, true, ['Allow', 'Deny']),
      },
    });
  for (let i = 0, n = r() < 0.3 ? 1 + Math.floor(r() * 2) : 0; i < n; i++)
    policies.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `ap${i}`, namespace: pick(r, namespaces).name },
      spec: {
        action: pick(r, ['ALLOW', 'DENY']),
        rules: [
          {
            from: [
              {
                source: pick(r, [
                  { namespaces: [pick(r, NS)] },
                  { ipBlocks: ['10.0.1.0/24'] },
                  { notNamespaces: ['x'] },
                ]),
              },
            ],
            // HTTP fields: unknown without a request on an `http` port, skipped or dropped on the others.
            ...pick(r, [
              {},
              { to: [{ operation: { methods: ['GET'] } }] },
              { to: [{ operation: { paths: ['/a*'], ports: ['80'] } }] },
            ]),
          },
        ],
      },
    });
  if (r() < 0.15)
    policies.push({
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: 'strict', namespace: pick(r, namespaces).name },
      spec: { mtls: { mode: 'STRICT' } },
    });
  return { namespaces, workloads, policies: policies.map((manifest) => ({ manifest })) };
}

/** The first cell where the matrix's decision and the explaining engine's differ, described; undefined if none. */
function firstDifference(input: ClusterInput): string | undefined {
  const model: Model = buildModel(input);
  for (const { port, protocol } of PORTS) {
    const cell = model.cells(port, protocol);
    const matrix = model.matrix(port, protocol);
    const counted = { allow: 0, unknown: 0, deny: 0 };
    const reached = new Set<number>();
    for (const from of model.workloads)
      for (const to of model.workloads) {
        const decision = model.decide({ from: { workload: from.id }, to: { workload: to.id }, port, protocol });
        const fast = JSON.stringify(cell(from, to));
        const slow = JSON.stringify(decision);
        if (fast !== slow) return `${from.id} → ${to.id} on ${port}/${protocol}:\n  matrix: ${fast}\n  decide: ${slow}`;
        // What a report that needs no explanation takes from the matrix alone.
        const bare = [matrix.verdict(from.index, to.index), matrix.deniedAt(from.index, to.index)];
        if (JSON.stringify(bare) !== JSON.stringify([decision.verdict, decision.deniedAt]))
          return `${from.id} → ${to.id} on ${port}/${protocol}: matrix verdict and deniedAt ${JSON.stringify(bare)}\n  decide: ${slow}`;
        if (from === to) continue;
        counted[decision.computed] += 1;
        if (decision.computed !== 'deny') reached.add(to.index);
      }
    // The matrix's own tallies: what lint reads without walking the cells.
    const tallies = {
      allowed: [matrix.allowed, counted.allow],
      unknown: [matrix.unknown, counted.unknown],
      reachedByOthers: [model.workloads.filter((w) => matrix.reachedByOthers(w.index)).length, reached.size],
    };
    for (const [what, [fast, slow]] of Object.entries(tallies))
      if (fast !== slow) return `on ${port}/${protocol}: the matrix counts ${fast} ${what}, the cells ${slow}`;
  }
  return undefined;
}

/** Drops policies and workloads one at a time while the difference stays: the smallest failing cluster to print. */
function shrink(input: ClusterInput): ClusterInput {
  let current = input;
  for (const key of ['policies', 'workloads'] as const) {
    for (let i = (current[key] ?? []).length - 1; i >= 0; i--) {
      const list = [...(current[key] ?? [])];
      list.splice(i, 1);
      const smaller = { ...current, [key]: list };
      if (firstDifference(smaller) !== undefined) current = smaller;
    }
  }
  return current;
}

const SEEDS = 300;
t.test('matrix cells equal the explaining engine on random clusters', async (t) => {
  let cells = 0;
  const failures: string[] = [];
  for (let seed = 1; seed <= SEEDS && failures.length < 3; seed++) {
    const input = randomCluster(seed);
    const diff = firstDifference(input);
    cells += input.workloads.length ** 2 * PORTS.length;
    if (diff === undefined) continue;
    const small = shrink(input);
    failures.push(`seed ${seed}: ${firstDifference(small)}\n  smallest cluster: ${JSON.stringify(small)}`);
  }
  t.same(failures, [], `every cell of ${SEEDS} random clusters (${cells} cells) agrees`);
});

t.test('clusters of more than 32 workloads: rows of several words agree too', async (t) => {
  // The matrix works 32 destinations to a word; the clusters above fit in one.
  const failures: string[] = [];
  for (const [seed, size] of [
    [1001, 33],
    [1002, 47],
    [1003, 64],
    [1004, 70],
  ] as const) {
    const diff = firstDifference(randomCluster(seed, size));
    if (diff !== undefined) failures.push(`seed ${seed}, ${size} workloads: ${diff}`);
  }
  t.same(failures, []);
});
