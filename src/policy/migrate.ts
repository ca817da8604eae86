// AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) → ClusterNetworkPolicy (v1alpha2), exactly or not at all.
//
// The translation is field for field: v1alpha2 renamed the fields of v1alpha1 but kept their meaning
// (network-policy-api v0.2.0, apis/v1alpha2/clusternetworkpolicy_types.go against v0.1.8's apis/v1alpha1).
// What has no exact v1alpha2 form is a problem with its field path, never an approximation.

import { PolicyError } from './fields.ts';
import { parsePolicy } from './parse.ts';

type Obj = Record<string, unknown>;
type Path = readonly (string | number)[];

/** A field of the input that has no exact ClusterNetworkPolicy form, and why. */
interface MigrationProblem {
  readonly path: Path;
  readonly message: string;
}

/** The ClusterNetworkPolicy, or what stands in its way. */
export type Migration =
  | { readonly ok: true; readonly manifest: Obj }
  | { readonly ok: false; readonly problems: readonly MigrationProblem[] };

/** v1alpha2's bound on rules per direction, peers per rule and protocols per rule (v1alpha1: 100). */
const MAX = 25;
/** The priority of the Baseline-tier policy a BaselineAdminNetworkPolicy becomes (it was the only one). */
const BASELINE_PRIORITY = 0;
const ACTIONS: Readonly<Record<string, string>> = { Allow: 'Accept', Deny: 'Deny', Pass: 'Pass' };
/** Written by `kubectl apply`: it describes the old object, so it must not travel with the new one. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
// The API server prunes null before it stores an object: null reads as absent.
const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** `ports[i]` (portNumber, namedPort, portRange) → a `protocols` entry. */
function protocolMatch(port: Obj): Obj {
  if (typeof port.namedPort === 'string') return { destinationNamedPort: port.namedPort };
  const number = obj(port.portNumber);
  const protocol = (p: unknown) => (typeof p === 'string' ? p : 'TCP').toLowerCase();
  if (number) return { [protocol(number.protocol)]: { destinationPort: { number: number.port } } };
  const range = obj(port.portRange)!;
  // v1alpha1 lets a range end where it starts; v1alpha2 wants start < end: the same single port is a number.
  const destinationPort =
    range.start === range.end ? { number: range.start } : { range: { start: range.start, end: range.end } };
  return { [protocol(range.protocol)]: { destinationPort } };
}

/** `items` in consecutive pieces of at most {@link MAX}. */
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX) out.push(items.slice(i, i + MAX));
  return out;
}

/**
 * One v1alpha1 rule as v1alpha2 rules. A rule matches when one of its peers and one of its ports do, and
 * the first matching rule decides: so a rule of more peers or ports than v1alpha2 allows is the same as
 * consecutive copies (same name, action) over pieces of its peers × pieces of its ports.
 */
function rule(r: Obj, peersKey: 'from' | 'to'): Obj[] {
  const peers = list(r[peersKey]) ?? [];
  const ports = list(r.ports)?.map((p) => protocolMatch(obj(p)!));
  const head = { ...(typeof r.name === 'string' ? { name: r.name } : {}), action: ACTIONS[String(r.action)] };
  return chunks(peers).flatMap((some) =>
    ports
      ? chunks(ports).map((protocols) => ({ ...head, [peersKey]: some, protocols }))
      : [{ ...head, [peersKey]: some }],
  );
}

function rules(spec: Obj, direction: 'ingress' | 'egress', problems: MigrationProblem[]): Obj {
  const all = list(spec[direction]);
  if (!all) return {};
  const out = all.flatMap((r) => rule(obj(r)!, direction === 'ingress' ? 'from' : 'to'));
  if (out.length > MAX)
    problems.push({
      path: ['spec', direction],
      message: `has ${out.length} rules${out.length > all.length ? ` once rules of more than ${MAX} peers or ports are split` : ''}; ClusterNetworkPolicy allows ${MAX} per direction, and rules cannot move to another policy without changing their order`,
    });
  return { [direction]: out };
}

function metadata(meta: Obj): Obj {
  const annotations = Object.fromEntries(
    Object.entries(obj(meta.annotations) ?? {}).filter(([k]) => k !== LAST_APPLIED),
  );
  return {
    name: meta.name,
    ...(obj(meta.labels) && Object.keys(obj(meta.labels)!).length > 0 ? { labels: meta.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/**
 * Translates one AdminNetworkPolicy or BaselineAdminNetworkPolicy (already read without error by the
 * engine) into the ClusterNetworkPolicy v1alpha2 that means the same: Admin tier with the ANP's priority,
 * or Baseline tier at {@link BASELINE_PRIORITY}; `Allow` → `Accept`; `ports` → `protocols`. The result is
 * read back by the engine's own ClusterNetworkPolicy reader; a refusal there is a problem too.
 */
export function migrateAdminPolicy(manifest: Obj): Migration {
  const admin = manifest.kind === 'AdminNetworkPolicy';
  const spec = obj(manifest.spec) ?? {};
  const problems: MigrationProblem[] = [];
  const cnp: Obj = {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: metadata(obj(manifest.metadata) ?? {}),
    spec: {
      tier: admin ? 'Admin' : 'Baseline',
      priority: admin ? spec.priority : BASELINE_PRIORITY,
      subject: spec.subject,
      ...rules(spec, 'ingress', problems),
      ...rules(spec, 'egress', problems),
    },
  };
  if (problems.length > 0) return { ok: false, problems };
  try {
    parsePolicy({ manifest: cnp });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    // The v1alpha2 path names the input's field but for the renamed `protocols`.
    const path = error.path.map((p) => (p === 'protocols' ? 'ports' : p));
    return { ok: false, problems: [{ path, message: `as a ClusterNetworkPolicy: ${error.detail}` }] };
  }
  return { ok: true, manifest: cnp };
}
