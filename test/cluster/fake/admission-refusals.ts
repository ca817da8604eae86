// The API server's refusals of a pod by admission and validation, word for word.
//
// Pod Security admission (pod-security/: every baseline and restricted check of upstream's
// staging/src/k8s.io/pod-security-admission) refuses a pod create, and an update of
// `pods/ephemeralcontainers` (checked against the whole pod, existing containers included), with 403:
//   pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false
//   (container "main" must set securityContext.allowPrivilegeEscalation=false), …
// and warns of what `warn` would refuse (a `Warning:` header, as kubectl prints it).

import type { PodSecurityAdmission } from './pod-security/admission.ts';
import * as status from './status.ts';

type Json = Record<string, any>;

/**
 * Runs Pod Security admission on `pod` as it would be stored (a create, or an update of `old`), in a
 * namespace object; throws the 403 of an enforce violation, else returns the warnings for the client.
 */
export function enforcePodSecurity(
  psa: PodSecurityAdmission,
  namespace: Json | undefined,
  username: string,
  pod: Json,
  old?: Json,
): string[] {
  const name = String(pod.metadata?.name ?? '');
  const labels = namespace?.metadata?.labels ?? {};
  const decision = psa.validatePod(String(namespace?.metadata?.name ?? ''), labels, username, pod, old);
  if (decision.violation)
    throw new status.StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${decision.violation}`, {
      name,
      kind: 'pods',
    });
  return [...decision.warnings];
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
