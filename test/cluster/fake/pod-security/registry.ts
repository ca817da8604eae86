// Which Pod Security checks apply at a level and version, in upstream's order (policy/registry.go,
// policy/checks.go): each check's newest version not newer than the policy's, baseline checks first
// then restricted ones, each group sorted by check ID; a restricted check may override baseline
// checks it supersedes; "latest" and versions past the newest check are the newest.

import * as baseline from './baseline.ts';
import {
  appArmorProfile,
  seccompProfileBaseline1Dot0,
  seccompProfileBaseline1Dot19,
  seLinuxOptions1Dot0,
  seLinuxOptions1Dot31,
} from './baseline-profiles.ts';
import type { CheckPod, CheckResult, Json } from './helpers.ts';
import * as restricted from './restricted.ts';

/** A level of the Pod Security Standards. */
export type Level = 'privileged' | 'baseline' | 'restricted';

interface VersionedCheck {
  /** The policy's minor version (1.x) from which this version of the check applies. */
  readonly since: number;
  readonly check: CheckPod;
  /** Baseline checks this restricted check replaces while it applies. */
  readonly overrides?: readonly string[];
}

interface Check {
  readonly id: string;
  readonly level: Exclude<Level, 'privileged'>;
  readonly versions: readonly VersionedCheck[];
}

const { exceptWindows, exceptUserNamespace } = restricted;

/** Every check upstream registers (its `addCheck` calls), with its versions. */
const CHECKS: readonly Check[] = [
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ since: 0, check: baseline.windowsHostProcess }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ since: 0, check: baseline.hostNamespaces }] },
  { id: 'privileged', level: 'baseline', versions: [{ since: 0, check: baseline.privileged }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ since: 0, check: baseline.capabilitiesBaseline }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ since: 0, check: baseline.hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ since: 0, check: baseline.hostPorts }] },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [{ since: 34, check: baseline.hostProbesAndHostLifecycle }],
  },
  { id: 'appArmorProfile', level: 'baseline', versions: [{ since: 0, check: appArmorProfile }] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { since: 0, check: seLinuxOptions1Dot0 },
      { since: 31, check: seLinuxOptions1Dot31 },
    ],
  },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { since: 0, check: baseline.procMount },
      { since: 35, check: baseline.procMountBaseline135 },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { since: 0, check: seccompProfileBaseline1Dot0 },
      { since: 19, check: seccompProfileBaseline1Dot19 },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { since: 0, check: baseline.sysctlsV1Dot0 },
      { since: 27, check: baseline.sysctlsV1Dot27 },
      { since: 29, check: baseline.sysctlsV1Dot29 },
      { since: 32, check: baseline.sysctlsV1Dot32 },
      { since: 37, check: baseline.sysctlsV1Dot37 },
    ],
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { since: 8, check: restricted.allowPrivilegeEscalation },
      { since: 25, check: exceptWindows(restricted.allowPrivilegeEscalation) },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { since: 22, check: restricted.capabilitiesRestricted, overrides: ['capabilities_baseline'] },
      { since: 25, check: exceptWindows(restricted.capabilitiesRestricted), overrides: ['capabilities_baseline'] },
    ],
  },
  {
    id: 'procMount_restricted',
    level: 'restricted',
    versions: [{ since: 35, check: baseline.procMount, overrides: ['procMount'] }],
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    versions: [{ since: 0, check: restricted.restrictedVolumes, overrides: ['hostPathVolumes'] }],
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { since: 0, check: restricted.runAsNonRoot },
      { since: 35, check: exceptUserNamespace(restricted.runAsNonRoot) },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { since: 23, check: restricted.runAsUser },
      { since: 35, check: exceptUserNamespace(restricted.runAsUser) },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { since: 19, check: restricted.seccompProfileRestricted, overrides: ['seccompProfile_baseline'] },
      { since: 25, check: exceptWindows(restricted.seccompProfileRestricted), overrides: ['seccompProfile_baseline'] },
    ],
  },
];

/** The newest policy version any check has: what "latest" means. */
export const LATEST_MINOR = Math.max(...CHECKS.flatMap((c) => c.versions.map((v) => v.since)));

/** Go sorts strings by bytes; so does this for ASCII IDs. */
const byId = (a: Check, b: Check): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const ORDERED = [
  ...CHECKS.filter((c) => c.level === 'baseline').sort(byId),
  ...CHECKS.filter((c) => c.level === 'restricted').sort(byId),
];

/** The version of a check that applies at `minor`, if any. */
const at = (check: Check, minor: number): VersionedCheck | undefined =>
  check.versions.filter((v) => v.since <= minor).at(-1);

/** `EvaluatePod`: the result of every check of `level` at `minor` (undefined: latest). */
export function evaluatePod(level: Level, minor: number | undefined, metadata: Json, spec: Json): CheckResult[] {
  if (level === 'privileged') return [];
  const version = Math.min(minor ?? LATEST_MINOR, LATEST_MINOR);
  const applying = ORDERED.map((check) => ({ check, versioned: at(check, version) })).filter(
    (c): c is { check: Check; versioned: VersionedCheck } =>
      c.versioned !== undefined && (level === 'restricted' || c.check.level === 'baseline'),
  );
  const overridden = new Set(level === 'restricted' ? applying.flatMap((c) => c.versioned.overrides ?? []) : []);
  return applying
    .filter((c) => !(c.check.level === 'baseline' && overridden.has(c.check.id)))
    .map((c) => c.versioned.check(metadata, spec));
}

/** `AggregateCheckResult.ForbiddenDetail`: `reason (detail), reason (detail)`; empty when all allowed. */
export function forbiddenDetail(results: readonly CheckResult[]): string {
  return results
    .filter((r) => !r.allowed)
    .map((r) => {
      const reason = r.reason || 'unknown forbidden reason';
      return r.detail ? `${reason} (${r.detail})` : reason;
    })
    .join(', ');
}
