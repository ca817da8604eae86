// Admission of a pod create, as the API server's LimitRanger and ResourceQuota plugins do it
// (plugin/pkg/admission/limitranger/admission.go; staging/src/k8s.io/apiserver/pkg/admission/plugin/
// resourcequota/controller.go with pkg/quota/v1/evaluator/core/pods.go). Both look only at pod creates:
// subresources such as `pods/ephemeralcontainers` are outside both, so an ephemeral agent is never
// defaulted nor counted against a quota.

import { addQuantities, formatQuantity, parseQuantity, type Quantity } from './quantity.ts';
import { StatusError } from './status.ts';

type Json = Record<string, unknown>;
type Resources = Record<string, Quantity>;

/** A ResourceQuota as a test declares it: `hard` as in its spec (`limits.cpu: "1"`, `pods: "10"`). */
export interface QuotaFixture {
  readonly namespace: string;
  readonly name: string;
  readonly hard: Readonly<Record<string, string>>;
}

/** A LimitRange of type Container: defaults for containers that set no requests/limits, and its bounds. */
export interface LimitRangeFixture {
  readonly namespace: string;
  readonly name: string;
  readonly default?: Readonly<Record<string, string>>;
  readonly defaultRequest?: Readonly<Record<string, string>>;
  readonly min?: Readonly<Record<string, string>>;
  readonly max?: Readonly<Record<string, string>>;
  readonly maxLimitRequestRatio?: Readonly<Record<string, string>>;
}

/** The LimitRange object a fixture stands for, as `list limitranges` returns it. */
export function limitRangeObject(range: LimitRangeFixture): Json {
  const { namespace, name, ...item } = range;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name, namespace },
    spec: { limits: [{ type: 'Container', ...item }] },
  };
}

/** What the pod quota evaluator tracks (`podResources`). */
const POD_RESOURCES = new Set([
  'count/pods',
  'pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

/** Resources every container must set when a quota tracks them ("it was a mistake", says upstream). */
const MUST_SPECIFY = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

const parseList = (list: unknown): Resources =>
  Object.fromEntries(Object.entries((list ?? {}) as Record<string, string>).map(([k, v]) => [k, parseQuantity(v)]));

const containersOf = (pod: Json): Json[] => [
  ...((((pod.spec as Json).containers ?? []) as Json[]) ?? []),
  ...((((pod.spec as Json).initContainers ?? []) as Json[]) ?? []),
];

/** `podComputeUsageHelper`: the quota names one set of requests and limits counts against. */
function computeUsage(requests: Resources, limits: Resources): Resources {
  const usage: Resources = { pods: { value: 1, binary: false } };
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests[resource];
    const limit = limits[resource];
    if (request) {
      usage[resource] = request;
      usage[`requests.${resource}`] = request;
    }
    if (limit) usage[`limits.${resource}`] = limit;
  }
  return usage;
}

/** `PodUsageFunc`: a pod's charge (the sum of its containers; a pod in a terminal phase only counts as an object). */
function podUsage(pod: Json): Resources {
  const usage: Resources = { 'count/pods': { value: 1, binary: false } };
  const phase = (pod.status as Json | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return usage;
  const requests: Resources = {};
  const limits: Resources = {};
  for (const container of ((pod.spec as Json).containers ?? []) as Json[]) {
    const resources = (container.resources ?? {}) as Json;
    for (const [k, v] of Object.entries(parseList(resources.requests))) requests[k] = addQuantities(requests[k], v);
    for (const [k, v] of Object.entries(parseList(resources.limits))) limits[k] = addQuantities(limits[k], v);
  }
  return { ...usage, ...computeUsage(requests, limits) };
}

const pretty = (list: Resources, keys: readonly string[]): string =>
  [...keys]
    .sort()
    .filter((k) => list[k])
    .map((k) => `${k}=${formatQuantity(list[k] as Quantity)}`)
    .join(',');

/** The namespace's quotas and limit ranges, and the two admission plugins over them. */
export class FakeAdmission {
  readonly #quotas: QuotaFixture[] = [];
  readonly #limitRanges: LimitRangeFixture[] = [];

  addQuota(quota: QuotaFixture): void {
    this.#quotas.push(quota);
  }

  addLimitRange(range: LimitRangeFixture): void {
    this.#limitRanges.push(range);
  }

  /** The LimitRanges of a namespace (every namespace when undefined), as objects. */
  limitRanges(namespace?: string): Json[] {
    return this.#limitRanges.filter((r) => namespace === undefined || r.namespace === namespace).map(limitRangeObject);
  }

  /**
   * Admits a pod create in `namespace`, given the pods already there: API defaulting (a container's
   * requests default to its limits), LimitRanger's defaults, then every ResourceQuota. Throws the 403
   * the API server answers.
   */
  admitCreate(namespace: string, pod: Json, existing: readonly Json[]): void {
    for (const container of containersOf(pod)) {
      const resources = (container.resources ?? {}) as Json;
      if (resources.limits)
        resources.requests = { ...(resources.limits as Json), ...((resources.requests ?? {}) as Json) };
      if (resources.limits || resources.requests) container.resources = resources;
    }
    this.#limitRanger(namespace, pod);
    for (const range of this.#limitRanges.filter((r) => r.namespace === namespace)) validateLimits(range, pod);
    for (const quota of this.#quotas.filter((q) => q.namespace === namespace)) this.#checkQuota(quota, pod, existing);
  }

  /** LimitRanger: each container's unset requests and limits from the first LimitRange, recorded in an annotation. */
  #limitRanger(namespace: string, pod: Json): void {
    const range = this.#limitRanges.find((r) => r.namespace === namespace);
    if (!range) return;
    // LimitRange defaulting: a default limit is also the default request.
    const defaults = { requests: { ...range.default, ...range.defaultRequest }, limits: { ...range.default } };
    const notes: string[] = [];
    for (const container of ((pod.spec as Json).containers ?? []) as Json[]) {
      const resources = (container.resources ?? {}) as Record<string, Record<string, string>>;
      for (const kind of ['requests', 'limits'] as const) {
        const set = Object.keys(defaults[kind])
          .filter((k) => resources[kind]?.[k] === undefined)
          .sort();
        if (set.length === 0) continue;
        resources[kind] = {
          ...resources[kind],
          ...Object.fromEntries(set.map((k) => [k, defaults[kind][k] as string])),
        };
        notes.push(
          `${set.join(', ')} ${kind === 'requests' ? 'request' : 'limit'} for container ${String(container.name)}`,
        );
      }
      container.resources = resources;
    }
    if (notes.length === 0) return;
    const meta = pod.metadata as Json;
    meta.annotations = {
      ...((meta.annotations ?? {}) as Json),
      'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  }

  /** The quota evaluator: required resources per container, then used + requested against hard. */
  #checkQuota(quota: QuotaFixture, pod: Json, existing: readonly Json[]): void {
    const name = String((pod.metadata as Json).name ?? '');
    const forbidden = (why: string): StatusError =>
      new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
    const hard = parseList(quota.hard);
    const tracked = Object.keys(hard).filter((k) => POD_RESOURCES.has(k));
    const required = tracked.filter((k) => MUST_SPECIFY.has(k));
    const missing = new Map<string, string[]>();
    for (const container of containersOf(pod)) {
      const resources = (container.resources ?? {}) as Json;
      const has = computeUsage(parseList(resources.requests), parseList(resources.limits));
      for (const resource of required.filter((r) => !has[r]))
        missing.set(resource, [...(missing.get(resource) ?? []), String(container.name)]);
    }
    if (missing.size > 0) {
      const what = [...missing.keys()]
        .sort()
        .map((r) => `${r} for: ${[...new Set(missing.get(r))].sort().join(',')}`)
        .join('; ');
      throw forbidden(`failed quota: ${quota.name}: must specify ${what}`);
    }
    const used: Resources = Object.fromEntries(tracked.map((k) => [k, { value: 0, binary: hard[k]?.binary ?? false }]));
    for (const other of existing)
      for (const [k, v] of Object.entries(podUsage(other))) if (k in used) used[k] = addQuantities(used[k], v);
    const requested = Object.fromEntries(
      Object.entries(podUsage(pod)).filter(([k, v]) => tracked.includes(k) && v.value !== 0),
    );
    const exceeded = Object.keys(requested).filter(
      (k) => (used[k]?.value ?? 0) + (requested[k] as Quantity).value > (hard[k] as Quantity).value + 1e-9,
    );
    if (exceeded.length > 0)
      throw forbidden(
        `exceeded quota: ${quota.name}, requested: ${pretty(requested, exceeded)}, used: ${pretty(used, exceeded)}, limited: ${pretty(hard, exceeded)}`,
      );
  }
}

/**
 * LimitRanger's validation of a pod create against one LimitRange of type Container
 * (plugin/pkg/admission/limitranger/admission.go PodValidateLimitFunc: minConstraint, maxConstraint,
 * limitRequestRatioConstraint), with upstream's messages, aggregated as utilerrors.NewAggregate does.
 */
function validateLimits(range: LimitRangeFixture, pod: Json): void {
  const errors: string[] = [];
  for (const container of containersOf(pod)) {
    const resources = (container.resources ?? {}) as Record<string, Record<string, string> | undefined>;
    const request = resources.requests ?? {};
    const limit = resources.limits ?? {};
    for (const [resource, enforced] of Object.entries(range.min ?? {})) {
      const e = parseQuantity(enforced).value;
      if (request[resource] === undefined)
        errors.push(`minimum ${resource} usage per Container is ${enforced}.  No request is specified`);
      else if (parseQuantity(request[resource]).value < e)
        errors.push(`minimum ${resource} usage per Container is ${enforced}, but request is ${request[resource]}`);
      else if (limit[resource] !== undefined && parseQuantity(limit[resource]).value < e)
        errors.push(`minimum ${resource} usage per Container is ${enforced}, but limit is ${limit[resource]}`);
    }
    for (const [resource, enforced] of Object.entries(range.max ?? {})) {
      const e = parseQuantity(enforced).value;
      if (limit[resource] === undefined)
        errors.push(`maximum ${resource} usage per Container is ${enforced}.  No limit is specified`);
      else if (parseQuantity(limit[resource]).value > e)
        errors.push(`maximum ${resource} usage per Container is ${enforced}, but limit is ${limit[resource]}`);
      else if (request[resource] !== undefined && parseQuantity(request[resource]).value > e)
        errors.push(`maximum ${resource} usage per Container is ${enforced}, but request is ${request[resource]}`);
    }
    for (const [resource, enforced] of Object.entries(range.maxLimitRequestRatio ?? {})) {
      const req = request[resource] === undefined ? 0 : parseQuantity(request[resource]).value;
      const lim = limit[resource] === undefined ? 0 : parseQuantity(limit[resource]).value;
      const said = `${resource} max limit to request ratio per Container is ${enforced}`;
      if (req === 0) errors.push(`${said}, but no request is specified or request is 0`);
      else if (lim === 0) errors.push(`${said}, but no limit is specified or limit is 0`);
      else if (lim / req > parseQuantity(enforced).value)
        errors.push(`${said}, but provided ratio is ${(lim / req).toFixed(6)}`);
    }
  }
  if (errors.length === 0) return;
  const name = String((pod.metadata as Json).name ?? '');
  const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  throw new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
}
