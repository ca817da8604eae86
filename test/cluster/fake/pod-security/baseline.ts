// The Pod Security "baseline" checks, each a translation of upstream's policy/check_<id>.go
// (staging/src/k8s.io/pod-security-admission), keeping its reason and detail word for word. The
// profile checks (AppArmor, SELinux, seccomp) are in baseline-profiles.ts.

import {
  ALLOWED,
  type CheckResult,
  containersNamed,
  containersOf,
  contextOf,
  inUserNamespace,
  type Json,
  joinQuote,
  pluralize,
  setters,
  sortedSet,
} from './helpers.ts';

/** check_windowsHostProcess.go: no `windowsOptions.hostProcess: true` on the pod or a container. */
export function windowsHostProcess(_meta: Json, spec: Json): CheckResult {
  const bad = containersOf(spec)
    .filter((c) => contextOf(c)?.windowsOptions?.hostProcess === true)
    .map((c) => String(c.name));
  const who = setters(spec.securityContext?.windowsOptions?.hostProcess === true, bad);
  if (who.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'hostProcess',
    detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  };
}

/** check_hostNamespaces.go: no hostNetwork, hostPID or hostIPC. */
export function hostNamespaces(_meta: Json, spec: Json): CheckResult {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => `${f}=true`);
  return set.length === 0 ? ALLOWED : { allowed: false, reason: 'host namespaces', detail: set.join(', ') };
}

/** check_privileged.go: no `privileged: true`. */
export function privileged(_meta: Json, spec: Json): CheckResult {
  const bad = containersOf(spec)
    .filter((c) => contextOf(c)?.privileged === true)
    .map((c) => String(c.name));
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'privileged',
    detail: `${containersNamed(bad)} must not set securityContext.privileged=true`,
  };
}

/** The capabilities a container may add under "baseline" (the container runtime's default set). */
const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** check_capabilities_baseline.go: adds only capabilities of the default set. */
export function capabilitiesBaseline(_meta: Json, spec: Json): CheckResult {
  const bad: string[] = [];
  const added: string[] = [];
  for (const c of containersOf(spec)) {
    const extra = ((contextOf(c)?.capabilities?.add ?? []) as string[]).filter((a) => !DEFAULT_CAPABILITIES.has(a));
    if (extra.length === 0) continue;
    bad.push(String(c.name));
    added.push(...extra);
  }
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'non-default capabilities',
    detail: `${containersNamed(bad)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
  };
}

/** check_hostPathVolumes.go: no hostPath volume. */
export function hostPathVolumes(_meta: Json, spec: Json): CheckResult {
  const bad = ((spec.volumes ?? []) as Json[]).filter((v) => v.hostPath != null).map((v) => String(v.name));
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'hostPath volumes',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`,
  };
}

/** check_hostPorts.go: no container port with a hostPort. */
export function hostPorts(_meta: Json, spec: Json): CheckResult {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of containersOf(spec)) {
    const used = ((c.ports ?? []) as Json[]).filter((p) => (p.hostPort ?? 0) !== 0).map((p) => String(p.hostPort));
    if (used.length === 0) continue;
    bad.push(String(c.name));
    ports.push(...used);
  }
  if (bad.length === 0) return ALLOWED;
  const list = sortedSet(ports);
  return {
    allowed: false,
    reason: 'hostPort',
    detail: `${containersNamed(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
}

/** The hosts a probe or lifecycle handler names (`httpGet.host`, `tcpSocket.host`). */
function hostsOf(handler: Json | undefined): string[] {
  if (!handler) return [];
  return [handler.httpGet?.host, handler.tcpSocket?.host].filter((h): h is string => typeof h === 'string' && h !== '');
}

/** check_hostProbesAndhostLifecycle.go (1.34+): no `host` in probes and lifecycle handlers. */
export function hostProbesAndHostLifecycle(_meta: Json, spec: Json): CheckResult {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  for (const c of containersOf(spec)) {
    const found = [
      c.livenessProbe,
      c.readinessProbe,
      c.startupProbe,
      c.lifecycle?.postStart,
      c.lifecycle?.preStop,
    ].flatMap(hostsOf);
    if (found.length === 0) continue;
    bad.add(String(c.name));
    for (const h of found) hosts.add(h);
  }
  if (bad.size === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'probe or lifecycle host',
    detail: `${containersNamed(sortedSet(bad))} ${pluralize('uses', 'use', bad.size)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sortedSet(hosts))}`,
  };
}

/** check_procMount_baseline.go `procMount_1_0`: procMount unset or `Default` (restricted uses it as is from 1.35). */
export function procMount(_meta: Json, spec: Json): CheckResult {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containersOf(spec)) {
    const type = contextOf(c)?.procMount;
    if (type == null || type === 'Default') continue;
    bad.push(String(c.name));
    types.push(String(type));
  }
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'procMount',
    detail: `${containersNamed(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
  };
}

/** `procMount1_35baseline`: a pod in a user namespace may set any procMount. */
export function procMountBaseline135(meta: Json, spec: Json): CheckResult {
  return inUserNamespace(spec) ? ALLOWED : procMount(meta, spec);
}

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

/** check_sysctls.go: only the "safe" sysctls of the policy version. */
function sysctls(allowed: readonly string[]) {
  return (_meta: Json, spec: Json): CheckResult => {
    const bad = ((spec.securityContext?.sysctls ?? []) as Json[])
      .map((s) => String(s.name))
      .filter((n) => !allowed.includes(n));
    return bad.length === 0 ? ALLOWED : { allowed: false, reason: 'forbidden sysctls', detail: bad.join(', ') };
  };
}

export const sysctlsV1Dot0 = sysctls(SYSCTLS_1_0);
export const sysctlsV1Dot27 = sysctls(SYSCTLS_1_27);
export const sysctlsV1Dot29 = sysctls(SYSCTLS_1_29);
export const sysctlsV1Dot32 = sysctls(SYSCTLS_1_32);
export const sysctlsV1Dot37 = sysctls(SYSCTLS_1_37);
