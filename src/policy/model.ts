// The policy model: build once from a cluster's manifests, then ask for decisions and matrices.
import { type Attachments, attach } from './attach.ts';
import { CellDecisions } from './cells.ts';
import { formatBlock, isUniversal, parseAddress } from './cidr.ts';
import { buildCluster, type Cluster, type NamespaceInfo, type Workload } from './cluster.ts';
import { decideDirection, type Traffic } from './direction.ts';
import { httpPorts } from './http-match.ts';
import { matches, selectorFromLabels } from './labels.ts';
import { computeMatrix, type Matrix } from './matrix.ts';
import { MeshLayer } from './mesh.ts';
import { parsePolicy } from './parse.ts';
import { placeRateLimits, type UnmodelledRateLimit } from './ratelimits.ts';
import { resolveTarget, type TargetResolution } from './services.ts';
import { PeerSets, type Remote } from './sets.ts';
import type { LocalRateLimit, ParsedPolicy } from './spec.ts';
import type {
  ClusterInput,
  Computed,
  Decision,
  HttpRequest,
  Labels,
  ModelOptions,
  Peer,
  PeerInfo,
  Protocol,
  RequestPolicy,
  ServiceInput,
} from './types.ts';

/** A question for the model: may `from` open a connection to `to` on port/protocol? */
interface Query {
  readonly from: Peer;
  readonly to: Peer;
  /** The destination's port (the container port, after any Service mapping). */
  readonly port: number;
  /** Default TCP. */
  readonly protocol?: Protocol;
  /**
   * The HTTP request the connection carries in clear text (an http:// probe), which the destination's
   * sidecar judges against `methods`, `paths` and `hosts`. Absent: the connection only.
   */
  readonly request?: HttpRequest;
}

/** The engine's parts, for analyses inside src/policy (lint): not a stable interface. */
export interface Engine {
  readonly cluster: Cluster;
  readonly sets: PeerSets;
  readonly attachments: Attachments;
  /** Istio's root namespace (its AuthorizationPolicies select workloads of every namespace). */
  readonly rootNamespace: string;
}

/** Expected reachability for one cluster and set of policies. */
export interface Model {
  readonly namespaces: readonly NamespaceInfo[];
  /** The peers of the matrix, sorted by namespace then name. */
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceInput[];
  readonly policies: readonly ParsedPolicy[];
  /** Things that are valid but probably not meant (ignored rules, equal priorities …). */
  readonly warnings: readonly string[];
  /** Cluster, selector sets and attachments the verdicts come from. */
  readonly engine: Engine;
  /** A workload by id (`namespace/name`). */
  workload(id: string): Workload | undefined;
  /** Workloads of `namespace` whose labels include `selector` (a ReachabilityTest source). */
  selectWorkloads(namespace: string, selector: Labels): Workload[];
  /** The verdict of one connection, with its explanation. */
  decide(query: Query): Decision;
  /**
   * What the destination's sidecar decides per HTTP request from `from` on `port` (the source and port
   * judged by the engine): what the lab compiles to its sidecars. Undefined where no HTTP field applies.
   */
  requestPolicy(query: Pick<Query, 'from' | 'to' | 'port'>): RequestPolicy | undefined;
  /**
   * The local rate limit (EnvoyFilter) the sidecar of a workload (`namespace/name`) applies on one of
   * its inbound HTTP ports: what the lab compiles to its sidecars. Undefined where none applies.
   */
  localRateLimit(workload: string, port: number): LocalRateLimit | undefined;
  /** A local rate limit on the port that is not modelled (why, at file:line); the lab refuses it. */
  unmodelledRateLimit(workload: string, port: number): UnmodelledRateLimit | undefined;
  /** Every workload pair for one destination port. */
  matrix(port: number, protocol?: Protocol): Matrix;
  /**
   * Decisions of workload pairs on one port, equal to `decide`'s, at matrix speed: the verdict is the
   * matrix's, the explanation is worked out once per class of cells the policies treat alike.
   */
  cells(port: number, protocol?: Protocol): (from: Workload, to: Workload) => Decision;
  /** Maps a target host and port to a Service's endpoints, a pod, or an outside address. */
  resolveTarget(host: string, port: number, protocol?: Protocol, defaultNamespace?: string): TargetResolution;
}

interface Side {
  readonly remote: Remote;
  readonly info: PeerInfo;
  readonly text: string;
}

function resolvePeer(cluster: Cluster, peer: Peer): Side {
  if ('workload' in peer) {
    const w = cluster.workloadById.get(peer.workload);
    if (!w) throw new Error(`unknown workload "${peer.workload}" (workloads are named namespace/name)`);
    return {
      remote: { workload: w },
      info: { kind: 'workload', id: w.id, namespace: w.namespace, name: w.name },
      text: w.id,
    };
  }
  if ('name' in peer)
    return {
      remote: { name: peer.name, ...(peer.family ? { family: peer.family } : {}) },
      info: { kind: 'name', name: peer.name },
      text: peer.name,
    };
  const address = parseAddress(peer.ip);
  if (!address) throw new Error(`"${peer.ip}" is not an IP address`);
  const w = cluster.workloadByIp.get(peer.ip);
  if (w) {
    return {
      remote: { workload: w, address },
      info: { kind: 'workload', id: w.id, namespace: w.namespace, name: w.name },
      text: `${w.id} (${peer.ip})`,
    };
  }
  return { remote: { address }, info: { kind: 'ip', ip: peer.ip }, text: peer.ip };
}

function decide(cluster: Cluster, sets: PeerSets, att: Attachments, mesh: MeshLayer, query: Query): Decision {
  const protocol = query.protocol ?? 'TCP';
  const { port } = query;
  const from = resolvePeer(cluster, query.from);
  const to = resolvePeer(cluster, query.to);
  if (!from.remote.workload && !to.remote.workload)
    throw new Error('at least one side of a connection must be a workload of the cluster');
  const src = from.remote.workload;
  const dst = to.remote.workload;
  const base = { port, protocol, dstPorts: dst?.ports };
  const egress = src
    ? decideDirection(sets, 'egress', att.egress[src.index]!, {
        ...base,
        subject: src,
        remote: to.remote,
        remoteText: to.text,
      } satisfies Traffic)
    : undefined;
  const ingress = dst
    ? decideDirection(sets, 'ingress', att.ingress[dst.index]!, {
        ...base,
        subject: dst,
        remote: from.remote,
        remoteText: from.text,
      } satisfies Traffic)
    : undefined;
  const meshDecision = dst ? mesh.decide(dst, from.remote, from.text, port, protocol, query.request) : undefined;
  const deniedAt =
    egress?.verdict === 'deny'
      ? 'egress'
      : ingress?.verdict === 'deny'
        ? 'ingress'
        : meshDecision?.verdict === 'deny'
          ? 'mesh'
          : undefined;
  // A sure deny on any side decides; otherwise one undecidable side leaves the connection unknown.
  const undecided = [egress, ingress, meshDecision].some((d) => d?.verdict === 'unknown');
  const computed: Computed = deniedAt ? 'deny' : undecided ? 'unknown' : 'allow';
  const loopback = src !== undefined && src === dst;
  const explanation = [
    egress?.explanation ?? `egress: ${from.text} is outside the cluster; no egress policy applies`,
    ingress?.explanation ?? `ingress: ${to.text} is outside the cluster; no ingress policy applies`,
    // The mesh line only matters where a sidecar or an Istio policy is involved.
    ...(meshDecision && (meshDecision.enforced || meshDecision.policies.length > 0) ? [meshDecision.explanation] : []),
    loopback
      ? `loopback: ${from.text} to itself is outside NetworkPolicy semantics (CNIs differ); policies say ${computed}`
      : `${computed}${deniedAt ? ` (denied at ${deniedAt})` : ''}: ${from.text} → ${to.text} on ${port}/${protocol}`,
  ];
  return {
    from: from.info,
    to: to.info,
    port,
    protocol,
    verdict: loopback ? 'loopback' : computed,
    computed,
    ...(deniedAt ? { deniedAt } : {}),
    ...(egress ? { egress } : {}),
    ...(ingress ? { ingress } : {}),
    ...(meshDecision ? { mesh: meshDecision } : {}),
    explanation,
  };
}

/** CIDR peers that match pods by IP, in a cluster where some pod IPs are not known: their cells may be unknown. */
function podIpWarnings(cluster: Cluster, policies: readonly ParsedPolicy[]): string[] {
  const unknown = cluster.workloads.filter((w) => !w.ipsKnown).length;
  if (unknown === 0) return [];
  const out: string[] = [];
  for (const policy of policies) {
    if (policy.layer !== 'network') continue;
    for (const rule of [...(policy.ingress?.rules ?? []), ...(policy.egress?.rules ?? [])]) {
      if (rule.peers === 'all') continue;
      const blocks = rule.peers.flatMap((p) =>
        p.kind === 'cidr' && p.pods && !isUniversal(p.block) ? [formatBlock(p.block)] : [],
      );
      if (blocks.length > 0) {
        out.push(
          `${rule.ref}: ${blocks.join(', ')} may match pods, and ${unknown} ${unknown === 1 ? 'workload has' : 'workloads have'} no known pod IPs: cells that depend on it are unknown (give pods with status.podIPs)`,
        );
      }
    }
  }
  return out;
}

/**
 * Builds the model: parses and checks every policy (throws PolicyError on anything outside the
 * supported subset), merges pods into workloads and attaches policies to them.
 */
export function buildModel(input: ClusterInput, options: ModelOptions = {}): Model {
  const cluster = buildCluster(input, options);
  const warnings: string[] = [];
  const policies: ParsedPolicy[] = [];
  const seen = new Map<string, string | undefined>();
  for (const p of input.policies ?? []) {
    const result = parsePolicy(p);
    const { ref, source } = result.policy;
    if (seen.has(ref)) {
      throw new Error(
        `${ref} is declared twice${source || seen.get(ref) ? ` (${seen.get(ref) ?? '?'} and ${source ?? '?'})` : ''}`,
      );
    }
    seen.set(ref, source);
    policies.push(result.policy);
    warnings.push(...result.warnings);
  }
  warnings.push(...podIpWarnings(cluster, policies));
  const sets = new PeerSets(cluster);
  const rootNamespace = options.istioRootNamespace ?? 'istio-system';
  const att = attach(cluster, sets, policies, rootNamespace);
  warnings.push(...att.warnings);
  const services = input.services ?? [];
  const isHttp = httpPorts(cluster, services);
  const mesh = new MeshLayer(sets, att, options.trustDomain ?? 'cluster.local', isHttp);
  const rateLimits = placeRateLimits(cluster, policies, rootNamespace, isHttp);
  warnings.push(...rateLimits.warnings);
  const matrices = new Map<string, Matrix>();
  const cells = new Map<string, CellDecisions>();
  const matrix = (port: number, protocol: Protocol): Matrix => {
    const key = `${port}/${protocol}`;
    let m = matrices.get(key);
    if (!m) {
      m = computeMatrix(sets, att, mesh, port, protocol);
      matrices.set(key, m);
    }
    return m;
  };
  return {
    namespaces: cluster.namespaces,
    workloads: cluster.workloads,
    services,
    policies,
    warnings,
    engine: { cluster, sets, attachments: att, rootNamespace },
    workload: (id) => cluster.workloadById.get(id),
    selectWorkloads(namespace, selector) {
      const ns = cluster.namespaceByName.get(namespace);
      if (!ns) return [];
      const sel = selectorFromLabels(selector);
      return cluster.workloads.slice(ns.first, ns.end).filter((w) => matches(sel, w.labels));
    },
    decide: (query) => decide(cluster, sets, att, mesh, query),
    requestPolicy(query) {
      const dst = resolvePeer(cluster, query.to).remote.workload;
      return dst ? mesh.requestPolicy(dst, resolvePeer(cluster, query.from).remote, query.port) : undefined;
    },
    localRateLimit(id, port) {
      const w = cluster.workloadById.get(id);
      return w ? rateLimits.at(w, port) : undefined;
    },
    unmodelledRateLimit(id, port) {
      const w = cluster.workloadById.get(id);
      return w ? rateLimits.unmodelled(w, port) : undefined;
    },
    matrix: (port, protocol = 'TCP') => matrix(port, protocol),
    cells(port, protocol = 'TCP') {
      const key = `${port}/${protocol}`;
      let c = cells.get(key);
      if (!c) {
        c = new CellDecisions(sets, att, mesh, matrix(port, protocol));
        cells.set(key, c);
      }
      const decisions = c;
      return (from, to) => decisions.decide(from, to);
    },
    resolveTarget: (host, port, protocol = 'TCP', defaultNamespace) =>
      resolveTarget(cluster, services, host, port, protocol, defaultNamespace),
  };
}
