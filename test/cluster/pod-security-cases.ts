// The pods of upstream's Pod Security check tests (kubernetes/pod-security-admission policy/check_*_test.go)
// as JSON, the builders they are written with, and the runner the two table tests share.

import type t from 'tap';
import type { CheckPod, Json } from './fake/pod-security/helpers.ts';

/** One upstream case: the check it calls, the pod, and the refusal it expects. */
export interface Row {
  /** The upstream test file under policy/. */
  readonly file: string;
  readonly name: string;
  readonly check: CheckPod;
  readonly spec: Json;
  readonly annotations?: Record<string, string>;
  /** Refused with this reason and detail; omitted: allowed. */
  readonly reason?: string;
  readonly detail?: string;
}

/** A container with a securityContext (`undefined`: nil). */
export const c = (name: string, securityContext?: Json, more: Json = {}): Json => ({
  name,
  ...(securityContext ? { securityContext } : {}),
  ...more,
});
export const names = (...list: string[]): Json[] => list.map((n) => c(n));
export const caps = (add: string[], drop?: string[]): Json => ({ capabilities: { add, ...(drop ? { drop } : {}) } });
export const seccomp = (type: string): Json => ({ seccompProfile: { type } });
export const selinux = (options: Json): Json => ({ seLinuxOptions: options });
export const probe = (kind: 'httpGet' | 'tcpSocket', host?: string): Json => ({
  [kind]: host === undefined ? {} : { host },
});
export const apparmor = 'container.apparmor.security.beta.kubernetes.io/';
export const sysctl = (...list: string[]): Json => ({
  securityContext: { sysctls: list.map((name) => ({ name, value: '1' })) },
});

export const escalation = [
  c('a'),
  c('b', {}),
  c('c', { allowPrivilegeEscalation: true }),
  c('d', { allowPrivilegeEscalation: false }),
];
export const capsMixed = [
  c('a', caps(['FOO', 'BAR'])),
  c('b', caps(['BAR', 'BAZ'])),
  c('c', caps(['NET_BIND_SERVICE', 'CHOWN'], ['ALL', 'FOO'])),
];
export const procMounts = [
  c('a'),
  c('b', {}),
  c('c', { procMount: 'Default' }),
  c('d', { procMount: 'Unmasked' }),
  c('e', { procMount: 'other' }),
];
export const selinuxAllowed = [
  c('a', selinux({ type: 'container_t' })),
  c('b', selinux({ type: 'container_init_t' })),
  c('c', selinux({ type: 'container_kvm_t' })),
  c('d', selinux({ type: 'container_engine_t' })),
];
export const selinuxBad = [
  c('e', selinux({ type: 'bar' })),
  c('f', selinux({ user: 'bar' })),
  c('g', selinux({ role: 'baz' })),
];
export const seccompMixed = [
  c('a'),
  c('b', {}),
  c('c', seccomp('Unconfined')),
  c('d', seccomp('Unconfined')),
  c('e', seccomp('RuntimeDefault')),
  c('f', seccomp('RuntimeDefault')),
];
export const seccompFallthrough = [
  c('a'),
  c('b', {}),
  c('d', seccomp('RuntimeDefault')),
  c('e', seccomp('RuntimeDefault')),
];
export const restrictedOnes = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];
export const allowedOnes = [
  'emptyDir',
  'secret',
  'persistentVolumeClaim',
  'downwardAPI',
  'configMap',
  'projected',
  'csi',
  'ephemeral',
  'image',
];

/** Runs each row as its own test, named after the upstream file and case. */
export function runRows(tap: typeof t, rows: readonly Row[]): void {
  for (const row of rows) {
    tap.test(`${row.file}: ${row.name}`, async (t) => {
      const result = row.check(row.annotations ? { annotations: row.annotations } : {}, row.spec);
      if (row.reason === undefined) t.same(result, { allowed: true });
      else t.same(result, { allowed: false, reason: row.reason, detail: row.detail });
    });
  }
}
