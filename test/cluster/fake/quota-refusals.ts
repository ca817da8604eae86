// The 403 answers of the ResourceQuota admission plugin (plugin/pkg/admission/resourcequota/controller.go,
// wrapped by admission.NewForbidden into apierrors.NewForbidden), word for word, for tests that make the
// fake refuse a pod as a namespace with a compute quota does (with `answerNext`).

import { StatusError } from './status.ts';

const forbidden = (name: string, why: string): StatusError =>
  new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });

/** The quota has no room: `exceeded quota: compute, requested: limits.memory=256Mi, used: …, limited: …`. */
export function quotaExceeded(
  name: string,
  quota: string,
  requested: string,
  used: string,
  limited: string,
): StatusError {
  return forbidden(name, `exceeded quota: ${quota}, requested: ${requested}, used: ${used}, limited: ${limited}`);
}

/** The quota tracks a resource the pod does not set: `failed quota: compute: must specify limits.cpu for: agent`. */
export function quotaMustSpecify(name: string, quota: string, missing: string): StatusError {
  return forbidden(name, `failed quota: ${quota}: must specify ${missing}`);
}
