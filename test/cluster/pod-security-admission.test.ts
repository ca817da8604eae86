// Pod Security admission in the fake API server, as upstream's admission/admission.go, api/helpers.go and
// policy/registry.go run it: the namespace labels and their versions, enforce (403), warn (a `Warning`
// header), exemptions, checks by version, and prober's own probe pod and ephemeral agent admitted under
// "restricted". The Kubernetes API is the in-process fake, spoken to over HTTPS.

import { request } from 'node:https';
import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { ephemeralAgent } from '../../src/cluster/agent-spec.ts';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { probePod } from '../../src/cluster/probe-pod.ts';
import { planFor } from '../../src/model/plan.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { policyToEvaluate, warningHeader } from './fake/pod-security/admission.ts';
import { evaluatePod, forbiddenDetail } from './fake/pod-security/registry.ts';

type Json = Record<string, any>;

/** One request to the fake as kubectl would send it: status, headers and body. */
function send(
  fake: FakeApiServer,
  method: string,
  path: string,
  body?: Json,
): Promise<{ code: number; warnings: string[]; body: Json }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, fake.url);
    const req = request(
      url,
      {
        method,
        ca: fake.caCertificate,
        headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const warning = res.headers.warning;
          resolve({
            code: res.statusCode ?? 0,
            warnings: warning === undefined ? [] : [warning].flat(),
            body: JSON.parse(Buffer.concat(chunks).toString()),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pod = (name: string, spec: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'main', image: 'nginx' }], ...spec },
});

t.test(
  'PolicyToEvaluate: labels, versions, warn following enforce, invalid labels (api/helpers_test.go)',
  async (t) => {
    const enforce = 'pod-security.kubernetes.io/enforce';
    t.same(policyToEvaluate({}).policy.enforce, { level: 'privileged', minor: undefined }, 'default privileged:latest');
    const p = policyToEvaluate({ [enforce]: 'baseline', [`${enforce}-version`]: 'v1.30' }).policy;
    t.same(p.warn, { level: 'baseline', minor: 30 }, 'warn defaults to a stricter enforce, with its version');
    t.same(
      policyToEvaluate({ [enforce]: 'baseline', 'pod-security.kubernetes.io/warn': 'privileged' }).policy.warn.level,
      'privileged',
      'a warn label of its own wins',
    );
    const bad = policyToEvaluate({
      [enforce]: 'strict',
      'pod-security.kubernetes.io/warn': 'loud',
      [`${enforce}-version`]: '1.30',
    });
    t.equal(bad.policy.enforce.level, 'restricted', 'an invalid enforce level fails closed');
    t.equal(bad.policy.warn.level, 'privileged', 'an invalid warn level fails open');
    t.equal(bad.policy.enforce.minor, undefined, 'an invalid version is latest');
    t.equal(bad.errors.length, 3);
  },
);

t.test('checks by level and version, in registry.go order, restricted overriding baseline', async (t) => {
  // TestHostProbesAndHostLifecycleEmulation (check_hostProbesAndhostLifecycle_test.go): 1.34 on, not before.
  const probed = { containers: [{ name: 'a', startupProbe: { httpGet: { host: 'localhost' } } }] };
  t.equal(
    forbiddenDetail(evaluatePod('baseline', undefined, {}, probed)),
    'probe or lifecycle host (container "a" uses probe or lifecycle host "localhost")',
  );
  t.equal(
    forbiddenDetail(evaluatePod('baseline', 34, {}, probed)),
    'probe or lifecycle host (container "a" uses probe or lifecycle host "localhost")',
  );
  t.equal(forbiddenDetail(evaluatePod('baseline', 33, {}, probed)), '');
  t.equal(
    forbiddenDetail(evaluatePod('baseline', 99, {}, probed)),
    'probe or lifecycle host (container "a" uses probe or lifecycle host "localhost")',
    'a version past the newest is latest',
  );
  const spec = {
    hostNetwork: true,
    volumes: [{ name: 'h', hostPath: {} }],
    containers: [{ name: 'a', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }],
  };
  t.equal(
    forbiddenDetail(evaluatePod('restricted', undefined, {}, spec)),
    'host namespaces (hostNetwork=true), allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "h" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    'baseline checks first; capabilities_baseline, hostPathVolumes and seccompProfile_baseline overridden',
  );
  t.match(
    forbiddenDetail(evaluatePod('restricted', 21, {}, spec)),
    /^non-default capabilities \(container "a" must not include "SYS_ADMIN" in securityContext\.capabilities\.add\), host namespaces /,
    'before 1.22 the baseline capabilities check applies',
  );
  t.same(evaluatePod('privileged', undefined, {}, spec), []);
});

t.test('enforce refuses with 403, warn answers with a Warning header, exemptions skip both', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.addNamespace('shop', {
    'pod-security.kubernetes.io/enforce': 'baseline',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'v1.30',
    'pod-security.kubernetes.io/audit': 'baseline',
    'pod-security.kubernetes.io/audit-version': 'v1.0',
  });
  const refused = await send(
    fake,
    'POST',
    '/api/v1/namespaces/shop/pods',
    pod('host', { hostNetwork: true, hostPID: true }),
  );
  t.equal(refused.code, 403);
  t.equal(
    refused.body.message,
    'pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true)',
  );
  t.same(refused.warnings, [], 'no warning with a refusal');
  const warned = await send(fake, 'POST', '/api/v1/namespaces/shop/pods', pod('plain'));
  t.equal(warned.code, 201, 'admitted: baseline allows it');
  t.same(warned.warnings, [
    warningHeader(
      'would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "main" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ),
  ]);
  t.match(
    warned.warnings[0],
    /^299 - "would violate PodSecurity \\"restricted:v1\.30\\": /,
    'quoted as net.NewWarningHeader does',
  );
  t.same(
    fake.podSecurity.audit.map((a) => [a.name, a.annotations]),
    [
      [
        'host',
        {
          'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
          'pod-security.kubernetes.io/audit-violations':
            'would violate PodSecurity "baseline:v1.0": host namespaces (hostNetwork=true, hostPID=true)',
        },
      ],
      ['plain', { 'pod-security.kubernetes.io/enforce-policy': 'baseline:latest' }],
    ],
    'audit annotations: the policy enforced, and what audit would refuse',
  );
  fake.podSecurity.exempt({ namespaces: ['shop'] });
  t.equal(
    (await send(fake, 'POST', '/api/v1/namespaces/shop/pods', pod('host2', { hostNetwork: true }))).code,
    201,
    'an exempt namespace',
  );
  fake.podSecurity.exempt({ usernames: [fake.user] });
  const exempt = await send(fake, 'POST', '/api/v1/namespaces/shop/pods', pod('host3', { hostIPC: true }));
  t.same([exempt.code, exempt.warnings], [201, []], 'an exempt user');
});

t.test(
  "prober's probe pod and ephemeral agent pass restricted; a privileged ephemeral container does not",
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.addNamespace('shop', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const source = fake.addPod({
      namespace: 'shop',
      name: 'web-1',
      labels: { app: 'web' },
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const stored = fake.pod('shop', 'web-1');
    stored!.spec.containers[0].securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const plan = planFor('web', [], { timeoutMs: 1000, attempts: 1, concurrency: 64 }, () => undefined);
    await api.createPod(
      'shop',
      probePod({
        source: source as V1Pod,
        sourceName: 'web',
        runId: 'run1',
        image: 'prober',
        plan,
        deadlineSeconds: 60,
      }),
    );
    t.ok(fake.pod('shop', 'prober-web-run1'), 'the probe pod is admitted');
    await api.addEphemeralContainer('shop', 'web-1', ephemeralAgent('run1', 'prober', plan));
    t.equal(fake.pod('shop', 'web-1')?.spec.ephemeralContainers.length, 1, 'the ephemeral agent is admitted');
    await t.rejects(
      api.addEphemeralContainer('shop', 'web-1', {
        name: 'debug',
        image: 'busybox',
        securityContext: { privileged: true },
      }),
      {
        code: 403,
        message:
          /pods "web-1" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "debug" must not set securityContext\.privileged=true\), allowPrivilegeEscalation != false \(container "debug" must set/,
      },
    );
  },
);
