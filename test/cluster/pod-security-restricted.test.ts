// Every Pod Security "restricted" check of the fake against the cases of upstream's own tests
// (kubernetes/pod-security-admission policy/check_*_test.go, the file named on each row): same pods,
// same reasons and details word for word.

import t from 'tap';
import * as baseline from './fake/pod-security/baseline.ts';
import type { CheckPod } from './fake/pod-security/helpers.ts';
import * as restricted from './fake/pod-security/restricted.ts';
import {
  allowedOnes,
  c,
  capsMixed,
  escalation,
  names,
  procMounts,
  type Row,
  restrictedOnes,
  runRows,
  seccomp,
  seccompFallthrough,
  seccompMixed,
} from './pod-security-cases.ts';

const rows: Row[] = [
  ...[
    ['allowPrivilegeEscalation 1.25', restricted.exceptWindows(restricted.allowPrivilegeEscalation)],
    ['allowPrivilegeEscalation 1.8', restricted.allowPrivilegeEscalation],
  ].map(([label, check]) => ({
    file: 'check_allowPrivilegeEscalation_test.go',
    name: `${label as string}: multiple containers`,
    check: check as CheckPod,
    spec: { containers: escalation },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
  })),
  {
    file: 'check_allowPrivilegeEscalation_test.go',
    name: 'windows pod, admit without checking privilegeEscalation',
    check: restricted.exceptWindows(restricted.allowPrivilegeEscalation),
    spec: { os: { name: 'windows' }, containers: names('a') },
  },
  {
    file: 'check_allowPrivilegeEscalation_test.go',
    name: 'linux pod, reject if security context is not set',
    check: restricted.exceptWindows(restricted.allowPrivilegeEscalation),
    spec: { os: { name: 'linux' }, containers: names('a') },
    reason: 'allowPrivilegeEscalation != false',
    detail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
  },
  ...[restricted.capabilitiesRestricted, restricted.exceptWindows(restricted.capabilitiesRestricted)].map(
    (check, i) => ({
      file: 'check_capabilities_restricted_test.go',
      name: `${i === 0 ? '1.22' : '1.25'}: multiple containers`,
      check,
      spec: { containers: capsMixed },
      reason: 'unrestricted capabilities',
      detail:
        'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
    }),
  ),
  {
    file: 'check_capabilities_restricted_test.go',
    name: 'windows pod, admit without checking capabilities',
    check: restricted.exceptWindows(restricted.capabilitiesRestricted),
    spec: { os: { name: 'windows' }, containers: names('a') },
  },
  {
    file: 'check_capabilities_restricted_test.go',
    name: 'linux pod, reject if security context is not set',
    check: restricted.exceptWindows(restricted.capabilitiesRestricted),
    spec: { os: { name: 'linux' }, containers: names('a') },
    reason: 'unrestricted capabilities',
    detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]',
  },
  ...[true, false].map((hostUsers) => ({
    file: 'check_procMount_restricted_test.go',
    name: `procMount, hostUsers=${hostUsers}`,
    check: baseline.procMount,
    spec: { containers: procMounts, hostUsers },
    reason: 'procMount',
    detail: 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
  })),
  {
    file: 'check_restrictedVolumes_test.go',
    name: 'host path volumes',
    check: restricted.restrictedVolumes,
    spec: {
      volumes: [
        ...allowedOnes.map((s, i) => ({ name: `a${i + 1}`, [s]: {} })),
        ...restrictedOnes.map((s, i) => ({ name: `b${i + 1}`, [s]: {} })),
        { name: 'c1' },
      ],
    },
    reason: 'restricted volume types',
    detail: `volumes ${restrictedOnes.map((_, i) => `"b${i + 1}"`).join(', ')}, "c1" use restricted volume types "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"`,
  },
  ...(
    [
      [
        'no explicit runAsNonRoot',
        { containers: names('a') },
        'pod or container "a" must set securityContext.runAsNonRoot=true',
      ],
      [
        'pod runAsNonRoot=false',
        { securityContext: { runAsNonRoot: false }, containers: names('a') },
        'pod must not set securityContext.runAsNonRoot=false',
      ],
      [
        'containers runAsNonRoot=false',
        {
          securityContext: { runAsNonRoot: true },
          containers: [
            c('a'),
            c('b', {}),
            c('c', { runAsNonRoot: false }),
            c('d', { runAsNonRoot: false }),
            c('e', { runAsNonRoot: true }),
            c('f', { runAsNonRoot: true }),
          ],
        },
        'containers "c", "d" must not set securityContext.runAsNonRoot=false',
      ],
      [
        'pod nil, container fallthrough',
        { containers: [c('a'), c('b', {}), c('d', { runAsNonRoot: true }), c('e', { runAsNonRoot: true })] },
        'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
      ],
      ['host users false allowed', { hostUsers: false }, undefined],
    ] as const
  ).map(([name, spec, detail]) => ({
    file: 'check_runAsNonRoot_test.go',
    name,
    check: restricted.exceptUserNamespace(restricted.runAsNonRoot),
    spec,
    ...(detail ? { reason: 'runAsNonRoot != true', detail } : {}),
  })),
  ...(
    [
      [
        'pod runAsUser=0',
        { securityContext: { runAsUser: 0 }, containers: names('a') },
        'pod must not set runAsUser=0',
      ],
      ['pod runAsUser=non-zero', { securityContext: { runAsUser: 1000 }, containers: names('a') }, undefined],
      ['pod runAsUser=nil', { securityContext: {}, containers: names('a') }, undefined],
      [
        'containers runAsUser=0',
        {
          securityContext: { runAsUser: 1000 },
          containers: [
            c('a'),
            c('b', {}),
            c('c', { runAsUser: 0 }),
            c('d', { runAsUser: 0 }),
            c('e', { runAsUser: 1 }),
            c('f', { runAsUser: 1 }),
          ],
        },
        'containers "c", "d" must not set runAsUser=0',
      ],
      [
        'containers runAsUser=non-zero',
        { containers: [1, 2, 3, 4].map((u, i) => c('cdef'[i] as string, { runAsUser: u })) },
        undefined,
      ],
      ['host users false allowed', { hostUsers: false }, undefined],
    ] as const
  ).map(([name, spec, detail]) => ({
    file: 'check_runAsUser_test.go',
    name,
    check: restricted.exceptUserNamespace(restricted.runAsUser),
    spec,
    ...(detail ? { reason: 'runAsUser=0', detail } : {}),
  })),
  ...[restricted.seccompProfileRestricted, restricted.exceptWindows(restricted.seccompProfileRestricted)].flatMap(
    (check, i) =>
      (
        [
          [
            'no explicit seccomp',
            { containers: names('a') },
            'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
          ],
          [
            'pod seccomp invalid',
            { securityContext: seccomp('Unconfined'), containers: names('a') },
            'pod must not set securityContext.seccompProfile.type to "Unconfined"',
          ],
          [
            'containers seccomp invalid',
            { securityContext: seccomp('RuntimeDefault'), containers: seccompMixed },
            'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
          ],
          [
            'pod nil, container fallthrough',
            { containers: seccompFallthrough },
            'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
          ],
        ] as const
      ).map(([name, spec, detail]) => ({
        file: 'check_seccompProfile_restricted_test.go',
        name: `${i === 0 ? '1.19' : '1.25'}: ${name}`,
        check,
        spec,
        reason: 'seccompProfile',
        detail,
      })),
  ),
  {
    file: 'check_seccompProfile_restricted_test.go',
    name: '1.25: no explicit seccomp, windows Pod',
    check: restricted.exceptWindows(restricted.seccompProfileRestricted),
    spec: { os: { name: 'windows' }, containers: names('a') },
  },
  {
    file: 'check_seccompProfile_restricted_test.go',
    name: '1.25: no explicit seccomp, linux pod',
    check: restricted.exceptWindows(restricted.seccompProfileRestricted),
    spec: { os: { name: 'linux' }, containers: names('a') },
    reason: 'seccompProfile',
    detail: 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
];

runRows(t, rows);
