// What `prober lint` reports: findings with a stable id, a severity, where, why and how to fix; the checks' catalogue.

/** How much a finding matters; `--fail-on` compares against it. */
export type Severity = 'error' | 'warning' | 'info';

/** Severities from the most to the least serious. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** True when `severity` is at least as serious as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** One check of the catalogue: its id never changes once released (CI suppressions refer to it). */
export interface Check {
  readonly id: string;
  /** Short kebab-case name, e.g. `policy-selects-nothing`. */
  readonly name: string;
  readonly severity: Severity;
  /** One sentence: what the check looks for. */
  readonly description: string;
}

/** Every check, in id order. */
export const CHECKS = {
  PL001: {
    id: 'PL001',
    name: 'policy-selects-nothing',
    severity: 'warning',
    description: 'A policy selects no pod of the manifests, so it changes nothing.',
  },
  PL002: {
    id: 'PL002',
    name: 'peer-matches-nothing',
    severity: 'warning',
    description: 'A rule peer matches no namespace or no pod, so that peer allows or denies nothing.',
  },
  PL003: {
    id: 'PL003',
    name: 'rule-shadowed',
    severity: 'warning',
    description:
      'An admin or baseline rule never decides: an earlier or higher-priority rule (or a Pass) matches all its traffic first.',
  },
  PL004: {
    id: 'PL004',
    name: 'named-port-unexposed',
    severity: 'error',
    description: 'A rule names a port that no pod it could apply to declares, so the rule matches no traffic.',
  },
  PL005: {
    id: 'PL005',
    name: 'ipblock-overlaps-pods',
    severity: 'warning',
    description:
      'An ipBlock (or ANP network) also contains pod IPs, so it applies to pods, not only to outside traffic.',
  },
  PL006: {
    id: 'PL006',
    name: 'egress-denies-dns',
    severity: 'error',
    description:
      'Pods isolated for egress may not reach the cluster DNS on 53/UDP (error) or only not on 53/TCP (warning).',
  },
  PL007: {
    id: 'PL007',
    name: 'workload-unreachable',
    severity: 'warning',
    description:
      'A workload isolated for ingress and egress that no pod and no outside address may reach on any of its ports.',
  },
  PL008: {
    id: 'PL008',
    name: 'service-unreachable',
    severity: 'error',
    description: 'A Service port whose targetPort no policy lets any pod reach on any of its endpoints.',
  },
} as const satisfies Record<string, Check>;

export type CheckId = keyof typeof CHECKS;

/** A place in the input: a manifest file and the line of its document. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

/** One finding. */
export interface Finding {
  readonly id: CheckId;
  readonly severity: Severity;
  /** The policy, rule, workload or Service it is about, e.g. `NetworkPolicy shop/web ingress[0]`. */
  readonly subject: string;
  readonly message: string;
  /** One line: what to change. */
  readonly hint: string;
  /** Absent when the object came without a source (built in code, a synthetic DNS server). */
  readonly location?: Location;
}

/** What lint found, and how much it looked at. */
export interface LintResult {
  readonly findings: readonly Finding[];
  readonly policies: number;
  readonly workloads: number;
  readonly services: number;
}
