// The checks the API server makes on what prober sends: the OpenAPI models (kubernetes-models) plus the
// validation rules of the pod and ephemeral-container strategies that a schema cannot express.

import { EphemeralContainer } from 'kubernetes-models/v1/EphemeralContainer';
import { Pod } from 'kubernetes-models/v1/Pod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Field errors of an object; empty when valid. */
export type FieldErrors = string[];

function schemaErrors(validate: () => void, prefix: string): FieldErrors {
  try {
    validate();
    return [];
  } catch (error) {
    return [`${prefix}: Invalid value: ${(error as Error).message.replace(/^data/, '')}`];
  }
}

/** Label keys (`prefix/name`) and values as `metav1validation.ValidateLabels` checks them. */
export function labelErrors(labels: Readonly<Record<string, unknown>> | undefined, field: string): FieldErrors {
  const errors: FieldErrors = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const parts = key.split('/');
    const name = parts.pop() ?? '';
    const prefix = parts.join('/');
    if (
      parts.length > 1 ||
      name.length > 63 ||
      !LABEL_NAME.test(name) ||
      (prefix && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    ) {
      errors.push(
        `${field}: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(
        `${field}: Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (at most 63)`,
      );
    }
  }
  return errors;
}

function containerNameErrors(names: readonly string[], field: string): FieldErrors {
  const errors: FieldErrors = [];
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (!DNS_LABEL.test(name) || name.length > 63)
      errors.push(
        `${field}[${index}].name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
      );
    if (seen.has(name)) errors.push(`${field}[${index}].name: Duplicate value: "${name}"`);
    seen.add(name);
  });
  return errors;
}

/** Validates a pod as POSTed (the create strategy). */
export function podErrors(pod: Record<string, unknown>): FieldErrors {
  const meta = (pod.metadata ?? {}) as {
    name?: string;
    labels?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
  };
  const spec = (pod.spec ?? {}) as {
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: unknown[];
  };
  const errors = schemaErrors(() => new Pod(pod as never).validate(), 'pod');
  if (!meta.name || meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name))
    errors.push(`metadata.name: Invalid value: "${meta.name ?? ''}": a lowercase RFC 1123 subdomain is required`);
  errors.push(...labelErrors(meta.labels, 'metadata.labels'));
  if (spec.ephemeralContainers?.length) errors.push('spec.ephemeralContainers: Forbidden: cannot be set on create');
  errors.push(
    ...containerNameErrors(
      [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name),
      'spec.containers',
    ),
  );
  return errors;
}

/**
 * The fields an ephemeral container may set: `allowedEphemeralContainerFields` of the API server's
 * pod validation (pkg/apis/core/validation), plus `targetContainerName`, which only ephemeral
 * containers have. Every other field — ports, probes, lifecycle, resources, resizePolicy,
 * restartPolicy, and any field added later — is Forbidden when set (`validateFieldAllowList`).
 */
const EPHEMERAL_ALLOWED = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'envFrom',
  'env',
  'volumeMounts',
  'volumeDevices',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
  'targetContainerName',
]);

/**
 * Whether a field is set as Go's validation sees it after decoding: a field compared with its zero
 * value. `resources` is a struct, so `resources: {}` decodes to the zero value and passes; `null` is
 * always unset; anything else (an empty list included) is set.
 */
function isSet(key: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (
    key === 'resources' &&
    typeof value === 'object' &&
    Object.values(value as object).every((v) => v === undefined || v === null)
  )
    return false;
  return true;
}

/**
 * Validates the ephemeral containers of a pod after a patch of the `ephemeralcontainers` subresource:
 * schema, forbidden fields, unique names across all containers, and no existing one changed or removed.
 */
export function ephemeralErrors(
  before: readonly Record<string, unknown>[],
  after: readonly Record<string, unknown>[],
  otherNames: readonly string[],
): FieldErrors {
  const errors: FieldErrors = [];
  after.forEach((container, index) => {
    const field = `spec.ephemeralContainers[${index}]`;
    errors.push(...schemaErrors(() => new EphemeralContainer(container as never).validate(), field));
    for (const [key, value] of Object.entries(container)) {
      if (!EPHEMERAL_ALLOWED.has(key) && isSet(key, value))
        errors.push(`${field}.${key}: Forbidden: cannot be set for an Ephemeral Container`);
    }
    if (!container.image) errors.push(`${field}.image: Required value`);
  });
  errors.push(...containerNameErrors([...otherNames, ...after.map((c) => String(c.name))], 'spec.ephemeralContainers'));
  for (const old of before) {
    const now = after.find((c) => c.name === old.name);
    if (!now)
      errors.push(
        `spec.ephemeralContainers: Forbidden: existing ephemeral containers "${String(old.name)}" may not be removed`,
      );
    else if (JSON.stringify(now) !== JSON.stringify(old))
      errors.push(
        `spec.ephemeralContainers: Forbidden: existing ephemeral containers "${String(old.name)}" may not be changed`,
      );
  }
  return errors;
}
