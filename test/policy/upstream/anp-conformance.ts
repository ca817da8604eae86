// The network-policy-api conformance suite's base topology and runner, translated (tag v0.1.7).
import type { Test } from 'tap';
import { buildModel, type Model, PolicyError, type Protocol } from '../../../src/policy/index.ts';
import { labels, type Manifest, modelFromManifests, namespaceObject, podObject } from './manifests.ts';

/** kubernetes-sigs/network-policy-api tag v0.1.7, the last release written for v1alpha1. */
export const CONFORMANCE_TAG = 'v0.1.7';
export const CONFORMANCE_COMMIT = '0638d394d89ddb61dded975b502391a122fc762c';

const PREFIX = 'network-policy-conformance-';
/** The houses: namespace suffix, StatefulSet name, pod IP prefix. */
const HOUSES = [
  { house: 'gryffindor', set: 'harry-potter', net: '10.244.1' },
  { house: 'slytherin', set: 'draco-malfoy', net: '10.244.2' },
  { house: 'hufflepuff', set: 'cedric-diggory', net: '10.244.3' },
  { house: 'ravenclaw', set: 'luna-lovegood', net: '10.244.4' },
] as const;

/** Namespace of a house. */
export const ns = (house: string): string => `${PREFIX}${house}`;

/** Pod `<set>-<n>`: its namespace and IP (10.244.<house>.1<n>). */
export function podInfo(name: string): { namespace: string; ip: string } {
  const m = /^(.*)-(\d)$/.exec(name);
  const h = HOUSES.find((x) => x.set === m?.[1]);
  if (!m || !h) throw new Error(`no pod ${name} in the conformance topology`);
  return { namespace: ns(h.house), ip: `${h.net}.1${m[2]}` };
}

/**
 * The base manifests: five namespaces labelled conformance-house, a StatefulSet of two pods per
 * house, and those pods as the API shows them once running (controller labels, owner, IPs), so
 * each pod is a peer of its own. The centaurs run on the host network, which policies never see.
 */
export function baseManifests(): Manifest[] {
  const out: Manifest[] = [...HOUSES.map((h) => h.house), 'forbidden-forrest'].map((house) =>
    namespaceObject(ns(house), { 'conformance-house': house }),
  );
  for (const h of HOUSES) {
    // Only the web (80/TCP) and dns (53/UDP) containers declare their ports; 8080, 5353, 9003 and 9005 are served undeclared.
    const ports = [
      { name: 'web', port: 80, protocol: 'TCP' as const },
      { name: 'dns', port: 53, protocol: 'UDP' as const },
    ];
    const template = {
      metadata: { labels: { 'conformance-house': h.house } },
      spec: {
        containers: ports.map((p) => ({
          name: `${h.set}-${p.port}`,
          ports: [{ containerPort: p.port, protocol: p.protocol, name: p.name }],
        })),
      },
    };
    out.push({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: h.set, namespace: ns(h.house) },
      spec: { replicas: 2, selector: labels({ 'conformance-house': h.house }), template },
    });
    for (const n of [0, 1]) {
      const name = `${h.set}-${n}`;
      const podLabels = {
        'conformance-house': h.house,
        'apps.kubernetes.io/pod-index': String(n),
        'controller-revision-hash': `${h.set}-5d4f8c7b9`,
        'statefulset.kubernetes.io/pod-name': name,
      };
      out.push(podObject(ns(h.house), name, podLabels, ports, podInfo(name).ip, { kind: 'StatefulSet', name: h.set }));
    }
  }
  const centaur = {
    metadata: { labels: { 'conformance-house': 'forbidden-forrest' } },
    spec: {
      hostNetwork: true,
      containers: [{ name: 'centaur-36363-tcp', ports: [{ containerPort: 36363, name: 'web-36363' }] }],
    },
  };
  out.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'centaur', namespace: ns('forbidden-forrest') },
    spec: { replicas: 2, template: centaur },
  });
  return out;
}

/** One `PokeServer` call: client pod, protocol, server pod (by its IP), port, and whether it connects. */
export interface Poke {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly connects: boolean;
}

const ALIASES: Record<string, string> = {
  hp: 'harry-potter',
  dm: 'draco-malfoy',
  cd: 'cedric-diggory',
  ll: 'luna-lovegood',
};

/** `'ll0 > hp0 tcp/80 allow'` → a poke (hp harry-potter, dm draco-malfoy, cd cedric-diggory, ll luna-lovegood). */
export function poke(text: string): Poke {
  const m = /^(hp|dm|cd|ll)(\d) > (hp|dm|cd|ll)(\d) (tcp|udp|sctp)\/(\d+) (allow|deny)$/.exec(text);
  if (!m) throw new Error(`bad poke "${text}"`);
  return {
    from: `${ALIASES[m[1]!]}-${m[2]}`,
    to: `${ALIASES[m[3]!]}-${m[4]}`,
    protocol: m[5]!.toUpperCase() as Protocol,
    port: Number(m[6]),
    connects: m[7] === 'allow',
  };
}

/** Policies of one ConformanceTest, by name, as the test mutates them. */
export type Policies = Map<string, Manifest>;

/**
 * One `t.Run` of a ConformanceTest: a change to the policies (kept for the next subtests), then pokes;
 * `afterwards` holds further changes and pokes of the same subtest, in order. A change may put a Namespace
 * into the map (keyed `Namespace/<name>`): it replaces the base one, as a label patch does.
 */
export interface Subtest {
  readonly name: string;
  readonly change?: (policies: Policies) => void;
  readonly pokes: readonly string[];
  readonly afterwards?: readonly { readonly change: (policies: Policies) => void; readonly pokes: readonly string[] }[];
}

/** One ConformanceTest (ShortName), its manifest, subtests in order, and how prober stands. */
export interface ConformanceRow {
  readonly shortName: string;
  /** Standard features are core; experimental ones (named ports, node peers) are extended. */
  readonly profile: 'core' | 'extended';
  readonly policies: () => Manifest[];
  readonly subtests: readonly Subtest[];
  /** Set when prober deliberately refuses the test's manifest: the field it names, and why. */
  readonly refused?: { readonly field: RegExp; readonly why: string };
  /** Rewrites each policy before it is loaded (the v1alpha2 port reuses the v1alpha1 shapes). */
  readonly convert?: (policy: Manifest) => Manifest;
}

/** The base manifests with the row's policies, converted, and Namespace overrides applied. */
function manifests(row: ConformanceRow, policies: Policies): Manifest[] {
  const overridden = (m: Manifest) =>
    m.kind === 'Namespace' && policies.has(`Namespace/${(m.metadata as { name: string }).name}`);
  const convert = row.convert ?? ((m: Manifest) => m);
  const objects = [...policies.values()].map((m) => (m.kind === 'Namespace' ? m : convert(m)));
  return [...baseManifests().filter((m) => !overridden(m)), ...objects];
}

/** Runs a row's subtests in order against the model, each poke from the client pod to the server's IP. */
export async function runConformanceRow(t: Test, row: ConformanceRow, dir: string): Promise<void> {
  const policies: Policies = new Map(row.policies().map((p) => [(p.metadata as { name: string }).name, p]));
  if (row.refused) {
    const error = await modelFromManifests(dir, manifests(row, policies)).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.match(error instanceof Error ? error.message : 'no error', row.refused.field, `refused: ${row.refused.why}`);
    t.throws(
      () =>
        buildModel({
          workloads: [],
          policies: [...policies.values()].map((manifest) => ({ manifest: row.convert?.(manifest) ?? manifest })),
        }),
      PolicyError,
    );
    return;
  }
  for (const sub of row.subtests) {
    const wrong: string[] = [];
    for (const step of [{ change: sub.change, pokes: sub.pokes }, ...(sub.afterwards ?? [])]) {
      step.change?.(policies);
      const model: Model = await modelFromManifests(dir, manifests(row, policies));
      for (const text of step.pokes) {
        const p = poke(text);
        const from = `${podInfo(p.from).namespace}/${p.from}`;
        const d = model.decide({
          from: { workload: from },
          to: { ip: podInfo(p.to).ip },
          port: p.port,
          protocol: p.protocol,
        });
        const m = model.matrix(p.port, p.protocol);
        const to = model.workload(`${podInfo(p.to).namespace}/${p.to}`)!.index;
        const cell = m.computed(model.workload(from)!.index, to);
        const want = p.connects ? 'allow' : 'deny';
        if (d.computed !== want || cell !== want)
          wrong.push(`${text}: decide ${d.computed}, matrix ${cell}\n    ${d.explanation.join('\n    ')}`);
      }
    }
    t.same(wrong, [], sub.name);
  }
}
