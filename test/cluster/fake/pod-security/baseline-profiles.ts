// The Pod Security "baseline" checks of security profiles — AppArmor, SELinux and seccomp — translated
// from upstream's policy/check_appArmorProfile.go, check_seLinuxOptions.go and
// check_seccompProfile_baseline.go (staging/src/k8s.io/pod-security-admission), word for word.

import {
  ALLOWED,
  type CheckResult,
  containersOf,
  contextOf,
  type Json,
  joinQuote,
  pluralize,
  setters,
  sortedSet,
} from './helpers.ts';

/** Go's `%q` of a string, for annotation values in details. */
const quote = (value: string): string => JSON.stringify(value);

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** check_appArmorProfile.go: profile type RuntimeDefault or Localhost; annotations `runtime/default` or `localhost/…`. */
export function appArmorProfile(meta: Json, spec: Json): CheckResult {
  const allowedType = (type: unknown): boolean => type === 'RuntimeDefault' || type === 'Localhost';
  const values: string[] = [];
  const podBad =
    spec.securityContext?.appArmorProfile != null && !allowedType(spec.securityContext.appArmorProfile.type);
  if (podBad) values.push(String(spec.securityContext.appArmorProfile.type ?? ''));
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = contextOf(c)?.appArmorProfile;
    if (profile == null || allowedType(profile.type)) continue;
    bad.push(String(c.name));
    values.push(String(profile.type ?? ''));
  }
  const who = setters(podBad, bad);
  const annotations = Object.entries((meta.annotations ?? {}) as Record<string, string>)
    .filter(
      ([k, v]) =>
        k.startsWith(APPARMOR_ANNOTATION) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')),
    )
    .map(([k, v]) => `${k}=${quote(v)}`)
    .sort();
  const list = [...sortedSet(values), ...annotations];
  if (annotations.length > 0) who.push(pluralize('annotation', 'annotations', annotations.length));
  if (who.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', list.length),
    detail: `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(list)}`,
  };
}

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

/** check_seLinuxOptions.go: an allowed type, and no user or role, on the pod and every container. */
function seLinuxOptions(allowedTypes: readonly string[]) {
  return (_meta: Json, spec: Json): CheckResult => {
    const types: string[] = [];
    let user = false;
    let role = false;
    const valid = (opts: Json): boolean => {
      let ok = true;
      if (!allowedTypes.includes(opts.type ?? '')) {
        ok = false;
        types.push(opts.type ?? '');
      }
      if ((opts.user ?? '') !== '') [ok, user] = [false, true];
      if ((opts.role ?? '') !== '') [ok, role] = [false, true];
      return ok;
    };
    const podOptions = spec.securityContext?.seLinuxOptions;
    const podBad = podOptions != null && !valid(podOptions);
    const bad = containersOf(spec)
      .filter((c) => contextOf(c)?.seLinuxOptions != null && !valid(contextOf(c)?.seLinuxOptions))
      .map((c) => String(c.name));
    const who = setters(podBad, bad);
    if (who.length === 0) return ALLOWED;
    const list = sortedSet(types);
    const data = [
      ...(list.length > 0 ? [`${pluralize('type', 'types', list.length)} ${joinQuote(list)}`] : []),
      ...(user ? ['user may not be set'] : []),
      ...(role ? ['role may not be set'] : []),
    ];
    return {
      allowed: false,
      reason: 'seLinuxOptions',
      detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    };
  };
}

export const seLinuxOptions1Dot0 = seLinuxOptions(SELINUX_TYPES_1_0);
export const seLinuxOptions1Dot31 = seLinuxOptions(SELINUX_TYPES_1_31);

/** `validSeccomp`: a profile type RuntimeDefault or Localhost. */
export const validSeccomp = (type: unknown): boolean => type === 'RuntimeDefault' || type === 'Localhost';

const validSeccompAnnotation = (v: string): boolean =>
  v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');

/** `seccompProfileBaseline_1_0`: before 1.19 only the annotations carried seccomp profiles. */
export function seccompProfileBaseline1Dot0(meta: Json, spec: Json): CheckResult {
  const annotations = (meta.annotations ?? {}) as Record<string, string>;
  const bad: string[] = [];
  const check = (key: string): void => {
    const value = annotations[key];
    if (value !== undefined && !validSeccompAnnotation(value)) bad.push(`${key}=${quote(value)}`);
  };
  check('seccomp.security.alpha.kubernetes.io/pod');
  for (const c of containersOf(spec)) check(`container.seccomp.security.alpha.kubernetes.io/${String(c.name)}`);
  if (bad.length === 0) return ALLOWED;
  const list = sortedSet(bad);
  return {
    allowed: false,
    reason: 'seccompProfile',
    detail: `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}`,
  };
}

/** `seccompProfileBaseline_1_19`: a profile, where set, is RuntimeDefault or Localhost (not Unconfined). */
export function seccompProfileBaseline1Dot19(_meta: Json, spec: Json): CheckResult {
  const values: string[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = podProfile != null && !validSeccomp(podProfile.type);
  if (podBad) values.push(String(podProfile.type ?? ''));
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = contextOf(c)?.seccompProfile;
    if (profile == null || validSeccomp(profile.type)) continue;
    bad.push(String(c.name));
    values.push(String(profile.type ?? ''));
  }
  const who = setters(podBad, bad);
  if (who.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'seccompProfile',
    detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
  };
}
