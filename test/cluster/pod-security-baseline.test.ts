// Every Pod Security "baseline" check of the fake against the cases of upstream's own tests
// (kubernetes/pod-security-admission policy/check_*_test.go, the file named on each row): same pods,
// same reasons and details word for word.

import t from 'tap';
import * as baseline from './fake/pod-security/baseline.ts';
import * as profiles from './fake/pod-security/baseline-profiles.ts';
import {
  apparmor,
  c,
  capsMixed,
  names,
  probe,
  procMounts,
  type Row,
  runRows,
  seccomp,
  seccompMixed,
  selinux,
  selinuxAllowed,
  selinuxBad,
  sysctl,
} from './pod-security-cases.ts';

const rows: Row[] = [
  {
    file: 'check_appArmorProfile_test.go',
    name: 'container with default AppArmor + extra annotations',
    check: profiles.appArmorProfile,
    spec: {},
    annotations: { [`${apparmor}test`]: 'runtime/default', env: 'prod' },
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'container with local AppArmor + extra annotations',
    check: profiles.appArmorProfile,
    spec: {},
    annotations: { [`${apparmor}test`]: 'localhost/sec-profile01', env: 'dev' },
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'container with no AppArmor annotations',
    check: profiles.appArmorProfile,
    spec: {},
    annotations: { env: 'dev' },
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'container with no annotations',
    check: profiles.appArmorProfile,
    spec: {},
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'pod with runtime default',
    check: profiles.appArmorProfile,
    spec: { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } },
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'container with localhost profile',
    check: profiles.appArmorProfile,
    spec: { containers: [c('foo', { appArmorProfile: { type: 'RuntimeDefault' } })] },
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'unconfined pod',
    check: profiles.appArmorProfile,
    spec: { securityContext: { appArmorProfile: { type: 'Unconfined' } } },
    reason: 'forbidden AppArmor profile',
    detail: 'pod must not set AppArmor profile type to "Unconfined"',
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'unconfined container',
    check: profiles.appArmorProfile,
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: [c('foo', { appArmorProfile: { type: 'Unconfined' } })],
    },
    reason: 'forbidden AppArmor profile',
    detail: 'container "foo" must not set AppArmor profile type to "Unconfined"',
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'unconfined init container',
    check: profiles.appArmorProfile,
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: names('foo'),
      initContainers: [c('bar', { appArmorProfile: { type: 'Unconfined' } })],
    },
    reason: 'forbidden AppArmor profile',
    detail: 'container "bar" must not set AppArmor profile type to "Unconfined"',
  },
  {
    file: 'check_appArmorProfile_test.go',
    name: 'multiple containers',
    check: profiles.appArmorProfile,
    spec: {},
    annotations: {
      [apparmor]: 'bogus',
      [`${apparmor}a`]: '',
      [`${apparmor}b`]: 'runtime/default',
      [`${apparmor}c`]: 'localhost/',
      [`${apparmor}d`]: 'localhost/foo',
      [`${apparmor}e`]: 'unconfined',
      [`${apparmor}f`]: 'unknown',
    },
    reason: 'forbidden AppArmor profiles',
    detail: `annotations must not set AppArmor profile type to "${apparmor}="bogus"", "${apparmor}e="unconfined"", "${apparmor}f="unknown""`,
  },
  {
    file: 'check_capabilities_baseline_test.go',
    name: 'multiple containers',
    check: baseline.capabilitiesBaseline,
    spec: { containers: capsMixed.slice(0, 2) },
    reason: 'non-default capabilities',
    detail: 'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
  },
  {
    file: 'check_hostNamespaces_test.go',
    name: 'multiple host namespaces',
    check: baseline.hostNamespaces,
    spec: { hostNetwork: true, hostIPC: true, hostPID: true },
    reason: 'host namespaces',
    detail: 'hostNetwork=true, hostPID=true, hostIPC=true',
  },
  {
    file: 'check_hostPathVolumes_test.go',
    name: 'host path volumes',
    check: baseline.hostPathVolumes,
    spec: {
      volumes: [
        { name: 'a', hostPath: {} },
        { name: 'b', hostPath: {} },
        { name: 'c', emptyDir: {} },
      ],
    },
    reason: 'hostPath volumes',
    detail: 'volumes "a", "b"',
  },
  {
    file: 'check_hostPorts_test.go',
    name: 'one container, one host port',
    check: baseline.hostPorts,
    spec: {
      containers: [
        c('a', undefined, { ports: [{ hostPort: 0 }] }),
        c('b', undefined, { ports: [{ hostPort: 0 }, { hostPort: 20 }] }),
      ],
    },
    reason: 'hostPort',
    detail: 'container "b" uses hostPort 20',
  },
  {
    file: 'check_hostPorts_test.go',
    name: 'multiple containers, multiple host port',
    check: baseline.hostPorts,
    spec: {
      containers: [
        c('a', undefined, { ports: [{ hostPort: 0 }] }),
        c('b', undefined, { ports: [{ hostPort: 0 }, { hostPort: 10 }, { hostPort: 20 }] }),
        c('c', undefined, { ports: [{ hostPort: 0 }, { hostPort: 10 }, { hostPort: 30 }] }),
      ],
    },
    reason: 'hostPort',
    detail: 'containers "b", "c" use hostPorts 10, 20, 30',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'valid pod with unset hosts',
    check: baseline.hostProbesAndHostLifecycle,
    spec: {
      containers: [
        c('a', undefined, {
          livenessProbe: probe('httpGet'),
          readinessProbe: probe('tcpSocket'),
          lifecycle: { postStart: probe('httpGet') },
        }),
      ],
    },
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid pod with local host IP as probe host',
    check: baseline.hostProbesAndHostLifecycle,
    spec: {
      containers: [
        c('a', undefined, {
          livenessProbe: probe('httpGet', '127.0.0.1'),
          readinessProbe: probe('tcpSocket', '::1'),
          startupProbe: probe('httpGet', 'localhost'),
        }),
      ],
    },
    reason: 'probe or lifecycle host',
    detail: 'container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid httpget host in liveness probe',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('a', undefined, { livenessProbe: probe('httpGet', 'invalid.host') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "a" uses probe or lifecycle host "invalid.host"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid tcpsocket host in readiness probe',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('b', undefined, { readinessProbe: probe('tcpSocket', 'invalid.host') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "b" uses probe or lifecycle host "invalid.host"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid httpget host in startup probe',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('c', undefined, { startupProbe: probe('httpGet', 'invalid.host') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "c" uses probe or lifecycle host "invalid.host"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid poststart tcpsocket host',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('d', undefined, { lifecycle: { postStart: probe('tcpSocket', 'invalid.host') } })] },
    reason: 'probe or lifecycle host',
    detail: 'container "d" uses probe or lifecycle host "invalid.host"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid prestop httpget host',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('e', undefined, { lifecycle: { preStop: probe('httpGet', 'another.invalid.host') } })] },
    reason: 'probe or lifecycle host',
    detail: 'container "e" uses probe or lifecycle host "another.invalid.host"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'multiple containers with multiple invalid hosts',
    check: baseline.hostProbesAndHostLifecycle,
    spec: {
      containers: [
        c('valid'),
        c('invalid1', undefined, { livenessProbe: probe('httpGet', 'a.com') }),
        c('invalid2', undefined, {
          lifecycle: { preStop: probe('tcpSocket', 'b.com') },
          startupProbe: probe('httpGet', 'a.com'),
        }),
      ],
    },
    reason: 'probe or lifecycle host',
    detail: 'containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid ipv4 host in probe',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('a', undefined, { livenessProbe: probe('httpGet', '8.8.8.8') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "a" uses probe or lifecycle host "8.8.8.8"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid ipv6 host in probe',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { containers: [c('a', undefined, { livenessProbe: probe('tcpSocket', '2001:4860:4860::8888') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "a" uses probe or lifecycle host "2001:4860:4860::8888"',
  },
  {
    file: 'check_hostProbesAndhostLifecycle_test.go',
    name: 'invalid host in initcontainer',
    check: baseline.hostProbesAndHostLifecycle,
    spec: { initContainers: [c('init', undefined, { livenessProbe: probe('httpGet', 'invalid.init.host') })] },
    reason: 'probe or lifecycle host',
    detail: 'container "init" uses probe or lifecycle host "invalid.init.host"',
  },
  {
    file: 'check_privileged_test.go',
    name: 'privileged',
    check: baseline.privileged,
    spec: {
      containers: [
        c('a'),
        c('b', {}),
        c('c', { privileged: false }),
        c('d', { privileged: true }),
        c('e', { privileged: true }),
      ],
    },
    reason: 'privileged',
    detail: 'containers "d", "e" must not set securityContext.privileged=true',
  },
  {
    file: 'check_procMount_baseline_test.go',
    name: 'procMount',
    check: baseline.procMountBaseline135,
    spec: { containers: procMounts, hostUsers: true },
    reason: 'procMount',
    detail: 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
  },
  {
    file: 'check_procMount_baseline_test.go',
    name: 'procMount with userns',
    check: baseline.procMountBaseline135,
    spec: { containers: procMounts, hostUsers: false },
  },
  ...(
    [
      [
        'invalid pod and containers',
        {
          securityContext: selinux({ type: 'foo', user: 'bar', role: 'baz' }),
          containers: [...selinuxAllowed, ...selinuxBad],
        },
        'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
      ],
      [
        'invalid pod',
        { securityContext: selinux({ type: 'foo', user: 'bar', role: 'baz' }), containers: selinuxAllowed },
        'pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set',
      ],
      [
        'invalid containers',
        { securityContext: selinux({}), containers: [...selinuxAllowed, ...selinuxBad] },
        'containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set',
      ],
      [
        'bad type',
        { securityContext: selinux({ type: 'bad' }) },
        'pod set forbidden securityContext.seLinuxOptions: type "bad"',
      ],
      [
        'bad user',
        { securityContext: selinux({ user: 'bad' }) },
        'pod set forbidden securityContext.seLinuxOptions: user may not be set',
      ],
      [
        'bad role',
        { securityContext: selinux({ role: 'bad' }) },
        'pod set forbidden securityContext.seLinuxOptions: role may not be set',
      ],
    ] as const
  ).map(([name, spec, detail]) => ({
    file: 'check_seLinuxOptions_test.go',
    name,
    check: profiles.seLinuxOptions1Dot31,
    spec,
    reason: 'seLinuxOptions',
    detail,
  })),
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.0: pod seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot0,
    spec: {},
    annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' },
    reason: 'seccompProfile',
    detail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  },
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.0: containers seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot0,
    spec: { containers: names('a', 'b', 'c') },
    annotations: {
      'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/b': 'unknown',
    },
    reason: 'seccompProfile',
    detail:
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown"',
  },
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.0: pod and containers seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot0,
    spec: { containers: names('a', 'b', 'c') },
    annotations: {
      'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/b': 'unknown',
    },
    reason: 'seccompProfile',
    detail:
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
  },
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.19: pod seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot19,
    spec: { securityContext: seccomp('Unconfined'), containers: names('a') },
    reason: 'seccompProfile',
    detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.19: containers seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot19,
    spec: { securityContext: seccomp('RuntimeDefault'), containers: seccompMixed },
    reason: 'seccompProfile',
    detail: 'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    file: 'check_seccompProfile_baseline_test.go',
    name: '1.19: pod and containers seccomp invalid',
    check: profiles.seccompProfileBaseline1Dot19,
    spec: { securityContext: seccomp('Unconfined'), containers: seccompMixed },
    reason: 'seccompProfile',
    detail: 'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  ...(
    [
      ['1.0', baseline.sysctlsV1Dot0, []],
      ['1.27', baseline.sysctlsV1Dot27, ['net.ipv4.ip_local_reserved_ports']],
      [
        '1.29',
        baseline.sysctlsV1Dot29,
        [
          'net.ipv4.tcp_keepalive_time',
          'net.ipv4.tcp_fin_timeout',
          'net.ipv4.tcp_keepalive_intvl',
          'net.ipv4.tcp_keepalive_probes',
        ],
      ],
      ['1.32', baseline.sysctlsV1Dot32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
      ['1.37', baseline.sysctlsV1Dot37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
    ] as const
  ).flatMap(([version, check, added]) => [
    {
      file: 'check_sysctls_test.go',
      name: `${version}: forbidden sysctls`,
      check,
      spec: sysctl('a', 'b'),
      reason: 'forbidden sysctls',
      detail: 'a, b',
    },
    ...added.map((name) => ({
      file: 'check_sysctls_test.go',
      name: `${version}: new supported sysctls: ${name}`,
      check,
      spec: sysctl(name),
    })),
  ]),
  ...[
    'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_time',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes',
    'net.ipv4.tcp_rmem',
    'net.ipv4.tcp_wmem',
  ].map((name) => ({
    file: 'check_sysctls_test.go',
    name: `1.0: new supported sysctls not supported: ${name}`,
    check: baseline.sysctlsV1Dot0,
    spec: sysctl(name),
    reason: 'forbidden sysctls',
    detail: name,
  })),
  {
    file: 'check_windowsHostProcess_test.go',
    name: 'host process',
    check: baseline.windowsHostProcess,
    spec: {
      securityContext: { windowsOptions: { hostProcess: true } },
      containers: [
        c('a'),
        c('b', {}),
        c('c', { windowsOptions: {} }),
        c('d', { windowsOptions: { hostProcess: false } }),
        c('e', { windowsOptions: { hostProcess: true } }),
        c('f', { windowsOptions: { hostProcess: true } }),
      ],
    },
    reason: 'hostProcess',
    detail: 'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
  },
];

runRows(t, rows);
