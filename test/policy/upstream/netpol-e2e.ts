// The Kubernetes e2e NetworkPolicy suite's model, translated: namespaces x/y/z, pods a/b/c, truth tables.
import type { Test } from 'tap';
import type { Protocol } from '../../../src/policy/index.ts';
import { type Manifest, modelFromManifests, namespaceObject, podObject } from './manifests.ts';

/** The upstream commit of kubernetes/kubernetes test/e2e/network/netpol/network_policy.go translated here. */
export const E2E_COMMIT = '008b3652959ca58af8be3fb5b6ecfe9ae7638282';

/** The three `ginkgo` containers the traffic tests live in, as the full test names begin. */
export const CONTEXT = {
  TCP: '[sig-network] Netpol NetworkPolicy between server and client',
  UDP: '[sig-network] Netpol [LinuxOnly] NetworkPolicy between server and client using UDP',
  SCTP: '[sig-network] Netpol [Feature:SCTPConnectivity] [LinuxOnly] NetworkPolicy between server and client using SCTP',
} as const;

/** Which side of a cell a peer pattern matches: an empty field matches any namespace or pod. */
export interface PeerPattern {
  readonly ns?: string;
  readonly pod?: string;
}

/** The expected truth table of one probe round: every pod to every pod, default allowed. */
export class TruthTable {
  readonly pods: readonly string[];
  private readonly cells = new Map<string, boolean>();

  constructor(pods: readonly string[]) {
    this.pods = pods;
    for (const from of pods) for (const to of pods) this.cells.set(`${from}>${to}`, true);
  }

  /** One cell. */
  expect(from: string, to: string, allowed: boolean): this {
    if (!this.cells.has(`${from}>${to}`)) throw new Error(`no cell ${from} -> ${to} in this topology`);
    this.cells.set(`${from}>${to}`, allowed);
    return this;
  }

  /** Every cell whose source and destination match the patterns. */
  peers(from: PeerPattern, to: PeerPattern, allowed: boolean): this {
    const match = (p: PeerPattern, pod: string) => {
      const [ns, name] = pod.split('/');
      return (p.ns === undefined || p.ns === ns) && (p.pod === undefined || p.pod === name);
    };
    for (const f of this.pods)
      for (const t of this.pods) if (match(from, f) && match(to, t)) this.cells.set(`${f}>${t}`, allowed);
    return this;
  }

  /** Everything into one pod. */
  allIngress(pod: string, allowed: boolean): this {
    for (const f of this.pods) this.expect(f, pod, allowed);
    return this;
  }

  /** Everything out of one pod. */
  allEgress(pod: string, allowed: boolean): this {
    for (const t of this.pods) this.expect(pod, t, allowed);
    return this;
  }

  get(from: string, to: string): boolean {
    return this.cells.get(`${from}>${to}`)!;
  }
}

/** The live state a test mutates between probe rounds: policies, and label changes. */
export interface ClusterState {
  /** Policies by `namespace/name`; creating one with an existing name replaces it (an update). */
  readonly policies: Map<string, Manifest>;
  readonly podLabels: Map<string, Record<string, string>>;
  readonly namespaceLabels: Map<string, Record<string, string>>;
  /** The pod's IP (10.0.<namespace>.<pod>: x=1 y=2 z=3, a=1 b=2 c=3). */
  ip(pod: string): string;
}

/** One probe round: a port and protocol, and the truth table the suite expects. */
export interface Probe {
  readonly port: number;
  readonly protocol: Protocol;
  readonly expect: (table: TruthTable) => TruthTable;
}

/** A step: change the cluster (create/update/delete a policy, relabel), then probe. */
export interface Step {
  readonly what: string;
  readonly change: (state: ClusterState) => void;
  readonly probes: readonly Probe[];
}

/** One upstream test, by its exact name, with the pods it creates and its steps. */
export interface E2eRow {
  readonly context: keyof typeof CONTEXT;
  /** The `f.It` text, exactly as upstream. */
  readonly it: string;
  readonly protocols: readonly Protocol[];
  readonly ports: readonly number[];
  /** The pods the test creates (`x/a` …); namespaces x, y and z always exist. */
  readonly pods: readonly string[];
  readonly steps: readonly Step[];
}

const NS = ['x', 'y', 'z'];
const ip = (pod: string): string => {
  const [ns, name] = pod.split('/');
  return `10.0.${NS.indexOf(ns!) + 1}.${'abc'.indexOf(name!) + 1}`;
};

function manifests(row: E2eRow, state: ClusterState): Manifest[] {
  const namespaces = NS.map((ns) => namespaceObject(ns, { ns, ...state.namespaceLabels.get(ns) }));
  // Like upstream's model: one container per port and protocol, its port named serve-<port>-<protocol>.
  const ports = row.ports.flatMap((port) =>
    row.protocols.map((protocol) => ({ port, protocol, name: `serve-${port}-${protocol.toLowerCase()}` })),
  );
  const pods = row.pods.map((pod) => {
    const [ns, name] = pod.split('/') as [string, string];
    return podObject(ns, name, { pod: name, ...state.podLabels.get(pod) }, ports, ip(pod));
  });
  return [...namespaces, ...pods, ...state.policies.values()];
}

/** Runs one row: every step's probes, every off-diagonal cell compared (upstream ignores loopback). */
export async function runE2eRow(t: Test, row: E2eRow, dir: string): Promise<void> {
  const state: ClusterState = { policies: new Map(), podLabels: new Map(), namespaceLabels: new Map(), ip };
  for (const [i, step] of row.steps.entries()) {
    step.change(state);
    const model = await modelFromManifests(dir, manifests(row, state));
    for (const probe of step.probes) {
      const table = probe.expect(new TruthTable(row.pods));
      const matrix = model.matrix(probe.port, probe.protocol);
      const wrong: string[] = [];
      for (const from of row.pods) {
        for (const to of row.pods) {
          if (from === to) continue;
          const got = matrix.computed(model.workload(from)!.index, model.workload(to)!.index);
          const want = table.get(from, to) ? 'allow' : 'deny';
          const decided = model.decide({
            from: { workload: from },
            to: { workload: to },
            port: probe.port,
            protocol: probe.protocol,
          }).computed;
          if (got !== want || decided !== want)
            wrong.push(`${from} -> ${to}: upstream expects ${want}, matrix ${got}, decide ${decided}`);
        }
      }
      t.same(wrong, [], `step ${i + 1} (${step.what}): ${probe.port}/${probe.protocol} truth table`);
    }
  }
}
