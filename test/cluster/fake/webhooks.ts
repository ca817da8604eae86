// Validating admission webhooks as the API server calls them (apiserver pkg/admission/plugin/webhook:
// validating/dispatcher.go, errors/statuserror.go ToStatusErr): a webhook whose rules match the request
// (`pods` for a create, `pods/ephemeralcontainers` for that subresource's update) answers; a denial
// becomes the Status the client sees — its code (400 unless the webhook gives one of at least 400, as a
// 403 from a policy engine), its reason, and the message `admission webhook "NAME" denied the request:
// …` (or `… without explanation`).

import { StatusError } from './status.ts';

type Json = Record<string, any>;

/** What a webhook answers when it denies: the `response.status` of its AdmissionReview. */
export interface WebhookDenial {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** A ValidatingWebhookConfiguration's webhook as a test declares it. */
export interface WebhookFixture {
  /** Its name (`policy.example.com`), as the denial quotes it. */
  readonly name: string;
  /** The resources its rules match; default `['pods']` (which does not match subresources). */
  readonly resources?: readonly string[];
  /** Namespaces it sees; default all. */
  readonly namespaces?: readonly string[];
  /** Its decision on the object: undefined allows, a denial refuses. */
  review(pod: Json, namespace: string): WebhookDenial | undefined;
}

/** `ToStatusErr`: the error the API server returns for a webhook's denial. */
export function webhookDenied(name: string, denial: WebhookDenial): StatusError {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const message = denial.message
    ? `${deniedBy}: ${denial.message}`
    : denial.reason
      ? `${deniedBy}: ${denial.reason}`
      : `${deniedBy} without explanation`;
  // A rejection never goes out with a code below 400.
  const code = (denial.code ?? 0) < 400 ? 400 : (denial.code as number);
  return new StatusError(code, denial.reason ?? '', message);
}

/** The validating webhooks of the fake cluster, called in the order they were added. */
export class FakeWebhooks {
  readonly #hooks: WebhookFixture[] = [];

  add(hook: WebhookFixture): void {
    this.#hooks.push(hook);
  }

  /** Calls every matching webhook on `pod` (`resource` is `pods` or `pods/ephemeralcontainers`); throws the first denial. */
  validate(resource: string, namespace: string, pod: Json): void {
    for (const hook of this.#hooks) {
      if (
        !(hook.resources ?? ['pods']).some(
          (r) => r === resource || r === '*' || (r === 'pods/*' && resource.startsWith('pods/')),
        )
      )
        continue;
      if (hook.namespaces && !hook.namespaces.includes(namespace)) continue;
      const denial = hook.review(pod, namespace);
      if (denial) throw webhookDenied(hook.name, denial);
    }
  }
}
