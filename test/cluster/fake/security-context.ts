// The kubelet's non-root check: the effective security context of a container (its own fields over the
// pod's) and `verifyRunAsNonRoot` of pkg/kubelet/kuberuntime/security_context_others.go, which refuses
// to create a container that would run as root under `runAsNonRoot: true`.

type Json = Record<string, unknown>;

/** The fields of a pod's securityContext a container inherits unless it sets its own (`securityContextFromPodSecurityContext`). */
const INHERITED = ['seLinuxOptions', 'windowsOptions', 'runAsUser', 'runAsGroup', 'runAsNonRoot'];

/**
 * `DetermineEffectiveSecurityContext` (pkg/securitycontext/util.go): the pod-level fields, each overridden by the
 * container's own when it sets it. Ephemeral containers are containers here, as in the kubelet.
 */
export function effectiveSecurityContext(pod: Json, container: Json): Json {
  const podLevel = ((pod.spec as Json | undefined)?.securityContext ?? {}) as Json;
  const own = (container.securityContext ?? {}) as Json;
  const effective: Json = {};
  for (const field of INHERITED) if (podLevel[field] !== undefined) effective[field] = podLevel[field];
  for (const [field, value] of Object.entries(own)) if (value !== undefined && value !== null) effective[field] = value;
  return effective;
}

/** `format.Pod`: `name_namespace(uid)`. */
function podDesc(pod: Json): string {
  const meta = (pod.metadata ?? {}) as Json;
  return `${String(meta.name)}_${String(meta.namespace)}(${String(meta.uid ?? '')})`;
}

/**
 * Why the kubelet refuses to create this container (its status then waits with reason
 * `CreateContainerConfigError` and this message), or undefined. `imageUser` is the image's USER as the
 * runtime reports it: a uid, a name, or empty (root, as the kubelet treats an image without a user).
 */
export function runAsNonRootError(pod: Json, container: Json, imageUser: string): string | undefined {
  const effective = effectiveSecurityContext(pod, container);
  if (effective.runAsNonRoot !== true) return undefined;
  const where = `(pod: "${podDesc(pod)}", container: ${String(container.name)})`;
  if (typeof effective.runAsUser === 'number')
    return effective.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const user = imageUser.split(':')[0] ?? '';
  if (user !== '' && !/^\d+$/.test(user))
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`;
  if (user === '' || Number(user) === 0) return `container has runAsNonRoot and image will run as root ${where}`;
  return undefined;
}
