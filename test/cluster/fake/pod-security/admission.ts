// Pod Security admission as the API server runs it (pod-security-admission admission/admission.go,
// api/helpers.go): the namespace's `pod-security.kubernetes.io/{enforce,audit,warn}` labels and their
// `-version`s, exemptions, which pod updates are checked, the 403 of an enforce violation, the
// `would violate` warning a client sees as a `Warning:` header, and the audit annotations.

import type { Json } from './helpers.ts';
import { evaluatePod, forbiddenDetail, type Level } from './registry.ts';

/** A level at a version (`restricted:v1.30`); `minor` undefined is "latest". */
export interface LevelVersion {
  readonly level: Level;
  readonly minor: number | undefined;
}

/** What a namespace's labels ask for, per mode. */
export interface Policy {
  readonly enforce: LevelVersion;
  readonly audit: LevelVersion;
  readonly warn: LevelVersion;
}

/** The admission configuration's exemptions (`PodSecurityConfiguration.exemptions`). */
export interface Exemptions {
  readonly usernames?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly runtimeClasses?: readonly string[];
}

/** The outcome of one pod create or update. */
export interface Decision {
  /** Set when enforce refuses the pod: the Forbidden message's cause (`violates PodSecurity …`). */
  readonly violation?: string;
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
}

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** `LevelVersion.String`: `restricted:latest`, `baseline:v1.30`. */
export function levelVersion(lv: LevelVersion): string {
  return `${lv.level}:${lv.minor === undefined ? 'latest' : `v1.${lv.minor}`}`;
}

/** `ParseVersion`: `latest` or `v1.x`; anything else is an error and "latest". */
function parseVersion(value: string): number | undefined | Error {
  if (value === 'latest') return undefined;
  const match = /^v1\.(0|[1-9][0-9]*)$/.exec(value);
  return match ? Number(match[1]) : new Error('must be "latest" or "v1.x"');
}

/**
 * `PolicyToEvaluate` with the default policy privileged:latest: an invalid enforce level fails closed
 * (restricted), an invalid audit or warn level fails open (privileged); warn defaults to enforce when
 * enforce is stricter and warn is not labelled.
 */
export function policyToEvaluate(labels: Readonly<Record<string, string>>): { policy: Policy; errors: string[] } {
  const errors: string[] = [];
  const mode = (name: string, failLevel: Level): { lv: LevelVersion; hasLevel: boolean; hasVersion: boolean } => {
    let level: Level = 'privileged';
    let minor: number | undefined;
    const levelLabel = labels[`${PREFIX}${name}`];
    const versionLabel = labels[`${PREFIX}${name}-version`];
    let hasLevel = false;
    if (levelLabel !== undefined) {
      if (LEVELS.includes(levelLabel as Level)) [level, hasLevel] = [levelLabel as Level, true];
      else {
        level = failLevel;
        errors.push(
          `${PREFIX}${name}: Invalid value: "${levelLabel}": must be one of privileged, baseline, restricted`,
        );
      }
    }
    if (versionLabel !== undefined) {
      const parsed = parseVersion(versionLabel);
      if (parsed instanceof Error)
        errors.push(`metadata.labels[${PREFIX}${name}-version]: Invalid value: "${versionLabel}": ${parsed.message}`);
      else minor = parsed;
    }
    return { lv: { level, minor }, hasLevel, hasVersion: versionLabel !== undefined };
  };
  const enforce = mode('enforce', 'restricted');
  const audit = mode('audit', 'privileged');
  const warn = mode('warn', 'privileged');
  let warnLv = warn.lv;
  // Warn of what enforce would refuse, unless warn is labelled itself.
  if (
    !(`${PREFIX}warn` in labels) &&
    enforce.hasLevel &&
    LEVELS.indexOf(enforce.lv.level) > LEVELS.indexOf(warnLv.level)
  )
    warnLv = { level: enforce.lv.level, minor: warn.hasVersion ? warnLv.minor : enforce.lv.minor };
  return { policy: { enforce: enforce.lv, audit: audit.lv, warn: warnLv }, errors };
}

const sameLv = (a: LevelVersion, b: LevelVersion): boolean => a.level === b.level && a.minor === b.minor;

/** `isSignificantPodUpdate` for the updates prober makes: an ephemeral container added is checked, else nothing. */
export function isSignificantUpdate(pod: Json, old: Json): boolean {
  const names = new Set(((old.spec?.ephemeralContainers ?? []) as Json[]).map((c) => c.name));
  return ((pod.spec?.ephemeralContainers ?? []) as Json[]).some((c) => !names.has(c.name));
}

/** The API server's PodSecurity plugin over the namespaces' labels. */
export class PodSecurityAdmission {
  #exemptions: Exemptions = {};
  /** The audit annotations of each evaluated request (`pod-security.kubernetes.io/audit-violations` …), as the audit log gets them. */
  readonly audit: {
    readonly namespace: string;
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
  }[] = [];

  /** Sets the exemptions of the admission configuration. */
  exempt(exemptions: Exemptions): void {
    this.#exemptions = exemptions;
  }

  /** Decides on a pod create (`old` undefined) or update by `username`, and records its audit annotations. */
  validatePod(
    namespace: string,
    labels: Readonly<Record<string, string>>,
    username: string,
    pod: Json,
    old?: Json,
  ): Decision {
    const decision = this.#decide(namespace, labels, username, pod, old);
    if (Object.keys(decision.auditAnnotations).length > 0)
      this.audit.push({ namespace, name: String(pod.metadata?.name ?? ''), annotations: decision.auditAnnotations });
    return decision;
  }

  /**
   * `ValidatePod` + `EvaluatePod`: the decision for a pod create (`old` undefined) or an update of the pod
   * (the `pods/ephemeralcontainers` subresource included) in a namespace with these labels, by `username`.
   */
  #decide(
    namespace: string,
    labels: Readonly<Record<string, string>>,
    username: string,
    pod: Json,
    old?: Json,
  ): Decision {
    const allowed: Decision = { warnings: [], auditAnnotations: {} };
    if ((this.#exemptions.namespaces ?? []).includes(namespace)) return allowed;
    if ((this.#exemptions.usernames ?? []).includes(username)) return allowed;
    const { policy, errors } = policyToEvaluate(labels);
    const privileged = [policy.enforce, policy.audit, policy.warn].every((lv) => lv.level === 'privileged');
    if (errors.length === 0 && privileged) return allowed;
    if (old && !isSignificantUpdate(pod, old)) return allowed;
    const runtimeClass = pod.spec?.runtimeClassName;
    if (runtimeClass && (this.#exemptions.runtimeClasses ?? []).includes(runtimeClass)) return allowed;
    const evaluate = (lv: LevelVersion): string =>
      forbiddenDetail(evaluatePod(lv.level, lv.minor, pod.metadata ?? {}, pod.spec ?? {}));
    const audit: Record<string, string> = { [`${PREFIX}enforce-policy`]: levelVersion(policy.enforce) };
    if (errors.length > 0)
      audit[`${PREFIX}error`] = `Failed to parse policy: ${errors.length > 1 ? `[${errors.join(', ')}]` : errors[0]}`;
    const enforced = evaluate(policy.enforce);
    const audited = sameLv(policy.audit, policy.enforce) ? enforced : evaluate(policy.audit);
    if (audited)
      audit[`${PREFIX}audit-violations`] = `would violate PodSecurity "${levelVersion(policy.audit)}": ${audited}`;
    if (enforced)
      return {
        violation: `violates PodSecurity "${levelVersion(policy.enforce)}": ${enforced}`,
        warnings: [],
        auditAnnotations: audit,
      };
    const warned = sameLv(policy.warn, policy.enforce) ? enforced : evaluate(policy.warn);
    const warnings = warned ? [`would violate PodSecurity "${levelVersion(policy.warn)}": ${warned}`] : [];
    return { warnings, auditAnnotations: audit };
  }
}

/** `net.NewWarningHeader(299, "-", text)`: the `Warning` header value the API server sends. */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
