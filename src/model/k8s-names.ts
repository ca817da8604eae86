// Kubernetes name rules as the API server applies them (apimachinery's validation): pure checks that
// return why a value is not a valid name, so callers can say where it came from.

/** The name formats of the Kubernetes API that prober checks. */
export type NameRule = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'config-key';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const RULES: Readonly<Record<NameRule, { readonly max: number; readonly pattern: RegExp; readonly says: string }>> = {
  'dns1123-label': {
    max: 63,
    pattern: DNS1123_LABEL,
    says: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')",
  },
  'dns1123-subdomain': {
    max: 253,
    pattern: DNS1123_SUBDOMAIN,
    says: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
  },
  'dns1035-label': {
    max: 63,
    pattern: DNS1035_LABEL,
    says: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123')",
  },
  'config-key': {
    max: 253,
    pattern: CONFIG_KEY,
    says: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', 'KEY_NAME' or 'key-name')",
  },
};

/**
 * Why `value` is not a valid name under `rule`, or undefined when it is. The reason reads like the
 * API server's, e.g. `must be no more than 63 characters`.
 * @example nameProblem('dns1123-label', 'web') // undefined
 * @example nameProblem('dns1123-label', '../x') // "a lowercase RFC 1123 label must consist of …"
 */
export function nameProblem(rule: NameRule, value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  const { max, pattern, says } = RULES[rule];
  if (value.length > max) return `must be no more than ${max} characters`;
  if (!pattern.test(value)) return says;
  // A config key becomes a file name: the API refuses the ones that would leave the volume's directory.
  if (rule === 'config-key') {
    if (value === '.' || value === '..') return `must not be '${value}'`;
    if (value.startsWith('..')) return "must not start with '..'";
  }
  return undefined;
}

/** Why an Ingress rule's host is invalid: an RFC 1123 subdomain, optionally with one leading `*.` wildcard. */
export function hostProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && value.startsWith('*.')) return nameProblem('dns1123-subdomain', value.slice(2));
  return nameProblem('dns1123-subdomain', value);
}

/**
 * A value quoted for a one-line message: JSON escapes quotes and C0 controls; DEL, the C1 controls
 * (a terminal reads U+009B as CSI) and line separators are escaped too, so a hostile name prints inert.
 */
export function quoteName(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  const text = json.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}
