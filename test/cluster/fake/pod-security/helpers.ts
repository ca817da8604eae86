// The small helpers every Pod Security check shares, as upstream has them (pod-security-admission
// policy/helpers.go and policy/visitor.go): how a list of names is quoted and pluralized, and which
// containers a check visits — init containers, containers and ephemeral containers, in that order.

/** A pod (or its parts) as the API server decodes it from JSON. */
export type Json = Record<string, any>;

/** What one check says of a pod: allowed, or the reason and detail of its refusal. */
export interface CheckResult {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly detail?: string;
}

/** A check of one version: reads the pod's metadata and spec. */
export type CheckPod = (metadata: Json, spec: Json) => CheckResult;

export const ALLOWED: CheckResult = { allowed: true };

/** `joinQuote`: `"a", "b"`. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` or `containers "a", "b"`. */
export function containersNamed(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** `sets.NewString(…).List()`: unique and sorted as Go sorts strings (by bytes). */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

/** `visitContainers`: init containers, then containers, then ephemeral containers. */
export function containersOf(spec: Json): Json[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** A container's securityContext, or undefined when unset (Go's nil). */
export function contextOf(container: Json): Json | undefined {
  return container.securityContext ?? undefined;
}

/** `relaxPolicyForUserNamespacePod`: the pod runs in a user namespace (`hostUsers: false`). */
export function inUserNamespace(spec: Json): boolean {
  return spec.hostUsers === false;
}

/** A pod whose `spec.os.name` is windows: Linux-only restricted checks skip it from 1.25 on. */
export function isWindows(spec: Json): boolean {
  return spec.os?.name === 'windows';
}

/** `a and containers "b", "c"`: the pod (when it is a setter) and the containers, as several checks word it. */
export function setters(pod: boolean, containers: readonly string[]): string[] {
  return [...(pod ? ['pod'] : []), ...(containers.length > 0 ? [containersNamed(containers)] : [])];
}
