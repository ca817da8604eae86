// The API server's refusals of a pod by admission and validation, word for word.
//
// Pod Security admission as the API server runs it (staging/src/k8s.io/pod-security-admission:
// admission/admission.go, policy/check_*.go), for the "restricted" level a namespace enforces with the label
// `pod-security.kubernetes.io/enforce`. A pod create, and an update of `pods/ephemeralcontainers` (checked
// against the whole pod, existing containers included), are refused with 403 Forbidden:
//   pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false
//   (container "main" must set securityContext.allowPrivilegeEscalation=false), …
// The checks here are the four restricted ones prober's pods must pass; the others (host namespaces,
// volumes, sysctls …) concern what prober never sets.

import * as status from './status.ts';

type Json = Record<string, any>;

/** `container "a"` or `containers "a", "b"`, as the checks name them. */
function named(names: readonly string[], podLevel = false): string {
  const list = names.map((n) => `"${n}"`).join(', ');
  return `${podLevel ? 'pod or ' : ''}${names.length > 1 ? 'containers' : 'container'} ${list}`;
}

/** The restricted checks a pod fails, in the order and words of the upstream policy checks. */
export function restrictedViolations(pod: Json): string[] {
  const spec = pod.spec ?? {};
  const podContext = spec.securityContext ?? {};
  const containers: Json[] = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  const failing = (test: (context: Json) => boolean): string[] =>
    containers.filter((c) => test(c.securityContext ?? {})).map((c) => String(c.name));
  const out: string[] = [];
  const escalation = failing((c) => c.allowPrivilegeEscalation !== false);
  if (escalation.length > 0)
    out.push(
      `allowPrivilegeEscalation != false (${named(escalation)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  const capabilities = failing((c) => !(c.capabilities?.drop ?? []).includes('ALL'));
  if (capabilities.length > 0)
    out.push(`unrestricted capabilities (${named(capabilities)} must set securityContext.capabilities.drop=["ALL"])`);
  const nonRoot = failing((c) => (c.runAsNonRoot ?? podContext.runAsNonRoot) !== true);
  if (nonRoot.length > 0)
    out.push(`runAsNonRoot != true (${named(nonRoot, true)} must set securityContext.runAsNonRoot=true)`);
  const allowed = (profile: Json | undefined): boolean =>
    profile?.type === 'RuntimeDefault' || profile?.type === 'Localhost';
  const seccomp = failing((c) => !allowed(c.seccompProfile ?? podContext.seccompProfile));
  if (seccomp.length > 0)
    out.push(
      `seccompProfile (${named(seccomp, true)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  return out;
}

/** Refuses `pod` (as it would be stored) when its namespace enforces "restricted" and the pod does not meet it. */
export function enforcePodSecurity(namespace: Json | undefined, pod: Json): void {
  const labels = namespace?.metadata?.labels ?? {};
  if (labels['pod-security.kubernetes.io/enforce'] !== 'restricted') return;
  const violations = restrictedViolations(pod);
  if (violations.length === 0) return;
  const version = labels['pod-security.kubernetes.io/enforce-version'] ?? 'latest';
  const name = String(pod.metadata?.name ?? '');
  throw new status.StatusError(
    403,
    'Forbidden',
    `pods "${name}" is forbidden: violates PodSecurity "restricted:${version}": ${violations.join(', ')}`,
    { name, kind: 'pods' },
  );
}

/**
 * The API server's validation of an ephemeral containers update (pkg/apis/core/validation/validation.go,
 * ValidatePodEphemeralContainersUpdate): a static pod's mirror, annotated `kubernetes.io/config.mirror`,
 * takes none — 422 with the field error on the empty path.
 */
export function refuseStaticPod(pod: Json): void {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] === undefined) return;
  throw status.invalid('pods', String(pod.metadata?.name ?? ''), [
    '[]: Forbidden: static pods do not support ephemeral containers',
  ]);
}

// The 403 answers of the ResourceQuota admission plugin (plugin/pkg/admission/resourcequota/controller.go,
// wrapped by admission.NewForbidden into apierrors.NewForbidden), for tests that make the fake refuse a
// pod as a namespace with a compute quota does (with `answerNext`).

const forbidden = (name: string, why: string): status.StatusError =>
  new status.StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });

/** The quota has no room: `exceeded quota: compute, requested: limits.memory=256Mi, used: …, limited: …`. */
export function quotaExceeded(
  name: string,
  quota: string,
  requested: string,
  used: string,
  limited: string,
): status.StatusError {
  return forbidden(name, `exceeded quota: ${quota}, requested: ${requested}, used: ${used}, limited: ${limited}`);
}

/** The quota tracks a resource the pod does not set: `failed quota: compute: must specify limits.cpu for: agent`. */
export function quotaMustSpecify(name: string, quota: string, missing: string): status.StatusError {
  return forbidden(name, `failed quota: ${quota}: must specify ${missing}`);
}
