// What the policy model predicts for each cell of a ReachabilityTest (sources × targets by name).
import { familyLabel, type IpFamily } from '../model/family.ts';
import type { ErrorReason } from '../model/outcome.ts';
import { schemeOf } from '../model/schemes.ts';
import { hostHeader } from '../model/target.ts';
import type { ReachabilityTest, SourceSpec, TargetSpec } from '../model/test-spec.ts';
import { parseAddress } from './cidr.ts';
import type { Workload } from './cluster.ts';
import type { Model } from './model.ts';
import { cellEvidence, type Prediction, predictionOf } from './prediction.ts';
import type { Decision, HttpRequest, Peer, Protocol } from './types.ts';

const infoText = (p: Decision['from']): string => (p.kind === 'workload' ? p.id : p.kind === 'ip' ? p.ip : p.name);

/** Where a target's traffic lands: peers with the destination port and protocol, or why the model cannot tell. */
type Landing =
  | {
      readonly peers: readonly { readonly peer: Peer; readonly port: number }[];
      readonly protocol?: Protocol;
      /** The request an http:// probe sends, which a sidecar's HTTP filter judges. */
      readonly request?: HttpRequest;
      readonly note?: string;
      /** Some peer is a dual-stack workload (judged per family when the target names none). */
      readonly dualStack?: boolean;
    }
  | { readonly reason: ErrorReason; readonly detail: string };

/** Source workloads of a test source, or why there are none. */
function sourceWorkloads(model: Model, source: SourceSpec): Workload[] | string {
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

function land(model: Model, target: TargetSpec, family: IpFamily | undefined): Landing {
  const { scheme, host, port } = target.address;
  const descriptor = schemeOf(scheme);
  if (descriptor.reaches === 'resolver') return landDns(model);
  // A target is judged by the policies' rules for its scheme's transport (UDP for udp://, else TCP).
  const protocol: Protocol = descriptor.transport;
  const r = model.resolveTarget(host, port, protocol);
  const request = descriptor.clearHttp ? { request: probeRequest(target) } : {};
  switch (r.kind) {
    case 'service': {
      if (r.endpoints.length === 0) return { reason: 'target-down', detail: r.notes.join('; ') || 'no backends' };
      const peers: { peer: Peer; port: number }[] = [];
      for (const e of r.endpoints) {
        const placed = peersOf(e.workload, family);
        if (typeof placed === 'string') return { reason: 'no-address', detail: `${host}: ${placed}` };
        peers.push(...placed.map((peer) => ({ peer, port: e.port })));
      }
      const dualStack = r.endpoints.some((e) => isDualStack(e.workload));
      return {
        peers,
        protocol,
        ...request,
        ...(r.notes.length > 0 ? { note: r.notes.join('; ') } : {}),
        ...(dualStack ? { dualStack } : {}),
      };
    }
    case 'pod':
    case 'external': {
      if (family && familyOfIp(r.ip) !== family)
        return { reason: 'no-address', detail: `${r.ip} is no ${familyLabel(family)} address` };
      return { peers: [{ peer: { ip: r.ip }, port: r.port }], protocol, ...request };
    }
    case 'unknown':
      return { reason: 'dns', detail: r.reason };
    case 'name':
      // An outside name: judged by name (domainNames rules), and by IP rules only where they cover every address.
      return { peers: [{ peer: { name: r.name, ...(family ? { family } : {}) }, port }], protocol, ...request };
    default: {
      const never: never = r;
      return never;
    }
  }
}

/** The request an HTTP probe sends (src/probe/http.ts): a GET of the URL's path, the query left out as Envoy's path matcher leaves it. */
function probeRequest(target: TargetSpec): HttpRequest {
  const path = target.address.path.split('?')[0] || '/';
  return { method: 'GET', path, host: hostHeader(target.address) };
}

/** The cluster DNS Service as kubeadm, kind and most distributions name it: what a pod's resolv.conf points at. */
const CLUSTER_DNS = { service: 'kube-dns.kube-system', port: 53, protocol: 'UDP' as const };

/**
 * A `dns://` target asks the source's resolver, in a pod the cluster DNS Service: its pods on
 * 53/UDP, when the manifests declare kube-system/kube-dns (the lab always does). The target's family
 * names the record asked for, not how the query travels, so the DNS pods take part as workloads.
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

/** The family of an address (IPv4-mapped IPv6 addresses count as IPv4, as the CIDR matcher has it). */
function familyOfIp(ip: string): IpFamily {
  return parseAddress(ip)?.kind === 'ipv6' ? 'ipv6' : 'ipv4';
}

/**
 * How a workload takes part in a cell probed over `family`: as its pods' addresses of that family.
 * Without a family, or when the pods' IPs are not known, the workload itself. A workload whose known
 * IPs have none of the family cannot take part: why, as a string.
 */
function peersOf(w: Workload, family: IpFamily | undefined): Peer[] | string {
  if (!family || !w.ipsKnown) return [{ workload: w.id }];
  const ips = w.ips.filter((ip) => familyOfIp(ip) === family);
  if (ips.length === 0) return `${w.id} has no ${familyLabel(family)} address (its pods: ${w.ips.join(', ')})`;
  return ips.map((ip) => ({ ip }));
}

/** True when the workload's pods are known to have addresses of both families. */
function isDualStack(w: Workload): boolean {
  if (!w.ipsKnown) return false;
  const families = new Set(w.ips.map(familyOfIp));
  return families.size > 1;
}

function predictCell(
  model: Model,
  sources: Workload[] | string,
  landing: Landing,
  family: IpFamily | undefined,
  withEvidence: boolean,
): Prediction {
  if (typeof sources === 'string') return { kind: 'unknown', reason: 'source', detail: sources };
  if ('reason' in landing) return { kind: 'unknown', reason: landing.reason, detail: landing.detail };
  const decisions: Decision[] = [];
  for (const s of sources) {
    const from = peersOf(s, family);
    if (typeof from === 'string') return { kind: 'unknown', reason: 'no-address', detail: from };
    for (const f of from)
      for (const { peer, port } of landing.peers)
        decisions.push(
          model.decide({
            from: f,
            to: peer,
            port,
            protocol: landing.protocol ?? 'TCP',
            ...(landing.request ? { request: landing.request } : {}),
          }),
        );
  }
  const real = decisions.filter((d) => d.verdict !== 'loopback');
  const judged = real.length > 0 ? real : decisions;
  const undecided = judged.find((d) => d.computed === 'unknown');
  if (undecided) return predictionOf(undecided);
  const verdicts = new Set(judged.map((d) => d.computed));
  if (verdicts.size > 1) {
    const lines = judged.map((d) => `${infoText(d.from)} → ${infoText(d.to)}:${d.port}: ${d.computed}`);
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
    ...(withEvidence ? { evidence: cellEvidence(model, judged) } : {}),
  };
}

/**
 * The prediction for a cell whose target names no family, where dual-stack pods take part: judged
 * over each family, the verdict when both agree (or when only one family can carry the traffic);
 * when they differ the cell is undecidable, since it depends on the family the client picks.
 */
function acrossFamilies(ipv4: Prediction, ipv6: Prediction): Prediction {
  const carried = (p: Prediction): boolean => p.kind === 'verdict' || p.reason !== 'no-address';
  if (!carried(ipv6)) return ipv4;
  if (!carried(ipv4)) return ipv6;
  if (ipv4.kind !== 'verdict') return ipv4;
  if (ipv6.kind !== 'verdict') return ipv6;
  if (ipv4.computed === ipv6.computed) return ipv4;
  return {
    kind: 'unknown',
    reason: 'undecidable',
    detail: `the verdict depends on the IP family (IPv4: ${ipv4.computed}, IPv6: ${ipv6.computed}) and a client uses whichever the name resolves to first: give the target a family (ipv4, ipv6 or both)`,
  };
}

/**
 * The family a target's traffic travels over: its own, except for a scheme that asks the resolver
 * (`dns://`), whose family names the record it asks for while the query goes to the source's
 * nameserver over whichever family that has.
 */
function transportFamily(target: TargetSpec): IpFamily | undefined {
  return schemeOf(target.address.scheme).reaches === 'resolver' ? undefined : target.family;
}

/**
 * Predicts every cell of the test, keyed by source name then target name; with `evidence`, each
 * verdict carries what the catalogue of mismatch causes checks (for a comparison with observations).
 */
export function predictTest(
  model: Model,
  test: ReachabilityTest,
  options: { readonly evidence?: boolean } = {},
): Map<string, Map<string, Prediction>> {
  const evidence = options.evidence === true;
  const landings = new Map(test.targets.map((t) => [t.name, land(model, t, transportFamily(t))]));
  // A target that names no family, where dual-stack pods take part, is judged over each family.
  const perFamily = new Map<string, [Landing, Landing]>();
  const familyLandings = (t: TargetSpec): [Landing, Landing] => {
    let found = perFamily.get(t.name);
    if (!found) {
      found = [land(model, t, 'ipv4'), land(model, t, 'ipv6')];
      perFamily.set(t.name, found);
    }
    return found;
  };
  const out = new Map<string, Map<string, Prediction>>();
  for (const source of test.sources) {
    const workloads = sourceWorkloads(model, source);
    const dualSource = typeof workloads !== 'string' && workloads.some(isDualStack);
    const row = new Map<string, Prediction>();
    for (const target of test.targets) {
      const landing = landings.get(target.name)!;
      const dual =
        !target.family &&
        schemeOf(target.address.scheme).reaches === 'named-host' &&
        (dualSource || ('peers' in landing && landing.dualStack === true));
      if (!dual) {
        row.set(target.name, predictCell(model, workloads, landing, transportFamily(target), evidence));
        continue;
      }
      const [v4, v6] = familyLandings(target);
      row.set(
        target.name,
        acrossFamilies(
          predictCell(model, workloads, v4, 'ipv4', evidence),
          predictCell(model, workloads, v6, 'ipv6', evidence),
        ),
      );
    }
    out.set(source.name, row);
  }
  return out;
}
