// Refusals that admission webhooks and the LimitRanger plugin give, worded as the API server words them,
// for tests that make the fake refuse a request as such a cluster does (with `answerNext`).
//
// - A validating or mutating webhook that answers `allowed: false` (apiserver
//   pkg/admission/plugin/webhook/errors/statuserror.go, ToStatusErr): its status code when it sets one of
//   400 or more, else 400 (since Kubernetes 1.15; a code below 400 is raised to 400), its message behind
//   `admission webhook "NAME" denied the request: `, its reason if it set one, no details.
// - LimitRanger (plugin/pkg/admission/limitranger/admission.go, minConstraint / maxConstraint, wrapped by
//   admission.NewForbidden): 403 Forbidden, `pods "NAME" is forbidden: ` and the violations, one alone or
//   several as `[a, b]` (utilerrors.NewAggregate).

import * as status from './status.ts';

/** A Status body with the reason left out when empty, as Go's `omitempty` writes it. */
class WebhookDenial extends status.StatusError {
  override body(): Record<string, unknown> {
    const { reason, ...rest } = super.body();
    return reason ? { ...rest, reason } : rest;
  }
}

/** A webhook's denial: `code` and `reason` as the webhook set them (none: 400 and no reason). */
export function webhookDenied(webhook: string, message: string, code = 0, reason = ''): status.StatusError {
  return new WebhookDenial(
    Math.max(code, 400),
    reason,
    `admission webhook "${webhook}" denied the request: ${message}`,
  );
}

/** LimitRanger's refusal of a pod whose requests or limits fall outside the namespace's LimitRange. */
export function limitRangeRefused(pod: string, violations: readonly string[]): status.StatusError {
  const why = violations.length === 1 ? violations[0] : `[${violations.join(', ')}]`;
  return new status.StatusError(403, 'Forbidden', `pods "${pod}" is forbidden: ${why}`, { name: pod, kind: 'pods' });
}
