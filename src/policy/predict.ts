// What the policy model predicts for each cell of a ReachabilityTest (sources × targets by name).
import type { ModelVerdict } from '../model/matrix.ts';
import type { ErrorReason, Verdict } from '../model/outcome.ts';
import type { ReachabilityTest, SourceSpec, TargetSpec } from '../model/test-spec.ts';
import type { Workload } from './cluster.ts';
import type { Model } from './model.ts';
import type { Decision, Peer, Protocol } from './types.ts';

/** A cell the model can decide, or why it cannot. */
export type Prediction =
  | {
      readonly kind: 'verdict';
      /** `loopback` when every source workload only reaches itself (hairpin through its own Service). */
      readonly verdict: Verdict | 'loopback';
      readonly computed: Verdict;
      readonly deniedAt: Decision['deniedAt'];
      readonly explanation: readonly string[];
    }
  | { readonly kind: 'unknown'; readonly reason: ErrorReason; readonly detail: string };

/** Where a target's traffic lands: peers with the destination port and protocol, or why the model cannot tell. */
type Landing =
  | {
      readonly peers: readonly { readonly peer: Peer; readonly port: number }[];
      readonly protocol?: Protocol;
      readonly note?: string;
    }
  | { readonly reason: ErrorReason; readonly detail: string };

/** Source workloads of a test source, or why there are none. */
export function sourceWorkloads(model: Model, source: SourceSpec): Workload[] | string {
  if (source.local) return 'a local source (where prober runs) is outside the policy model';
  const selector = source.selector ?? {};
  const found = model.selectWorkloads(source.namespace ?? 'default', selector);
  if (found.length > 0) return found;
  const labels =
    Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || 'any labels';
  return `no workload in namespace ${source.namespace} with ${labels} in the manifests`;
}

function land(model: Model, target: TargetSpec): Landing {
  const { scheme, host, port } = target.address;
  if (scheme === 'dns') return landDns(model);
  // A udp:// target is judged by the policies' UDP rules; every other scheme rides on TCP.
  const protocol: Protocol = scheme === 'udp' ? 'UDP' : 'TCP';
  const r = model.resolveTarget(host, port, protocol);
  switch (r.kind) {
    case 'service':
      if (r.endpoints.length === 0) return { reason: 'target-down', detail: r.notes.join('; ') || 'no backends' };
      return {
        peers: r.endpoints.map((e) => ({ peer: { workload: e.workload.id }, port: e.port })),
        protocol,
        ...(r.notes.length > 0 ? { note: r.notes.join('; ') } : {}),
      };
    case 'pod':
      return { peers: [{ peer: { ip: r.ip }, port: r.port }], protocol };
    case 'external':
      return { peers: [{ peer: { ip: r.ip }, port: r.port }], protocol };
    case 'unknown':
      return { reason: 'dns', detail: r.reason };
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** The cluster DNS Service as kubeadm, kind and most distributions name it: what a pod's resolv.conf points at. */
const CLUSTER_DNS = { service: 'kube-dns.kube-system', port: 53, protocol: 'UDP' as const };

/**
 * A `dns://` target asks the source's resolver, in a pod the cluster DNS Service: its pods on
 * 53/UDP, when the manifests declare kube-system/kube-dns (the lab always does).
 */
function landDns(model: Model): Landing {
  const r = model.resolveTarget(CLUSTER_DNS.service, CLUSTER_DNS.port, CLUSTER_DNS.protocol);
  if (r.kind !== 'service' || r.endpoints.length === 0)
    return {
      reason: 'bad-target',
      detail: 'dns:// targets ask the cluster DNS, and the manifests declare no kube-system/kube-dns Service with pods',
    };
  return {
    peers: r.endpoints.map((e) => ({ peer: { workload: e.workload.id }, port: e.port })),
    protocol: CLUSTER_DNS.protocol,
    note: 'dns:// asks the cluster DNS: kube-system/kube-dns on 53/UDP',
  };
}

function predictCell(model: Model, sources: Workload[] | string, landing: Landing): Prediction {
  if (typeof sources === 'string') return { kind: 'unknown', reason: 'source', detail: sources };
  if ('reason' in landing) return { kind: 'unknown', reason: landing.reason, detail: landing.detail };
  const decisions: Decision[] = [];
  for (const s of sources) {
    for (const { peer, port } of landing.peers)
      decisions.push(model.decide({ from: { workload: s.id }, to: peer, port, protocol: landing.protocol ?? 'TCP' }));
  }
  const real = decisions.filter((d) => d.verdict !== 'loopback');
  const judged = real.length > 0 ? real : decisions;
  const undecided = judged.find((d) => d.computed === 'unknown');
  if (undecided) return predictionOf(undecided);
  const verdicts = new Set(judged.map((d) => d.computed));
  if (verdicts.size > 1) {
    const lines = judged.map(
      (d) =>
        `${d.from.kind === 'workload' ? d.from.id : d.from.ip} → ${d.to.kind === 'workload' ? d.to.id : d.to.ip}:${d.port}: ${d.computed}`,
    );
    return {
      kind: 'unknown',
      reason: 'undecidable',
      detail: `the policies give different verdicts for the pods involved: ${lines.join(', ')}`,
    };
  }
  const first = judged[0]!;
  const note = 'note' in landing && landing.note ? [landing.note] : [];
  const more = judged.length > 1 ? [`(${judged.length} source/backend pairs, all ${first.computed})`] : [];
  const one = predictionOf(first);
  if (one.kind !== 'verdict') return one;
  return {
    ...one,
    verdict: real.length === 0 ? 'loopback' : one.computed,
    explanation: [...one.explanation, ...more, ...note],
  };
}

/**
 * One decision as a prediction: its verdict with the explanation, or, when the policies cannot
 * decide it (pod IPs unknown), an `undecidable` cell naming why.
 */
export function predictionOf(d: Decision): Prediction {
  if (d.computed === 'unknown') {
    const why =
      [d.egress, d.ingress, d.mesh].find((side) => side?.verdict === 'unknown')?.explanation ??
      d.explanation.join('; ');
    return { kind: 'unknown', reason: 'undecidable', detail: why };
  }
  return {
    kind: 'verdict',
    verdict: d.verdict === 'loopback' ? 'loopback' : d.computed,
    computed: d.computed,
    deniedAt: d.deniedAt,
    explanation: d.explanation,
  };
}

/** Predicts every cell of the test, keyed by source name then target name. */
export function predictTest(model: Model, test: ReachabilityTest): Map<string, Map<string, Prediction>> {
  const landings = new Map(test.targets.map((t) => [t.name, land(model, t)]));
  const out = new Map<string, Map<string, Prediction>>();
  for (const source of test.sources) {
    const workloads = sourceWorkloads(model, source);
    const row = new Map<string, Prediction>();
    for (const target of test.targets) row.set(target.name, predictCell(model, workloads, landings.get(target.name)!));
    out.set(source.name, row);
  }
  return out;
}

/** The model's side of a three-way comparison: verdicts of the cells the model can decide. */
export function modelVerdicts(
  predictions: ReadonlyMap<string, ReadonlyMap<string, Prediction>>,
): Map<string, Map<string, ModelVerdict>> {
  const out = new Map<string, Map<string, ModelVerdict>>();
  for (const [source, row] of predictions) {
    const verdicts = new Map<string, ModelVerdict>();
    for (const [target, p] of row)
      if (p.kind === 'verdict') verdicts.set(target, { verdict: p.verdict, explanation: p.explanation });
    out.set(source, verdicts);
  }
  return out;
}
