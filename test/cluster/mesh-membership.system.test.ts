// Probe pods join the mesh exactly as their source does: the sidecar injector's inputs and the source's
// placement are copied, and a probe pod the injector treats otherwise than its source is not trusted.
// The fake cluster's mesh (test/cluster/fake/mesh.ts) injects a classic sidecar as Istio's webhook does;
// the Kubernetes API is the fake's, the agents, the capture (nftables NAT) and the network are real.

import t from 'tap';
import { clusterLab, probePodsGone, runLab } from './fake/lab.ts';
import { injectedWorkload } from './fake/mesh.ts';

type Json = Record<string, any>;

const APACHE = ['b-apacherr', 'apacherr-6c9f7d-x2x4q'] as const;

type Lab = Awaited<ReturnType<typeof clusterLab>>;

const runPod = (lab: Lab) => runLab(lab, '--agent=pod');

t.test(
  'a source meshed by its annotation: the probe pod carries it and its placement, and is injected (exit 0)',
  async (t) => {
    const lab = await clusterLab(t);
    const source = lab.fake.pod(...APACHE) as Json;
    injectedWorkload(source, {
      'sidecar.istio.io/inject': 'true',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '9000',
    });
    Object.assign(source.spec, {
      imagePullSecrets: [{ name: 'mirror' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    });
    const run = await runPod(lab);
    t.equal(run.code, 0, run.stderr);
    t.match(JSON.parse(run.stdout).summary, { pass: 4, error: 0 });
    const probe = lab.fake.mesh.admitted.find((a) => String(a.sent.metadata.name).startsWith('prober-apache-'));
    t.equal(probe?.injected, true, 'the webhook injected the probe pod as it did the source');
    t.match(probe?.sent.metadata.annotations, {
      'sidecar.istio.io/inject': 'true',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '9000',
    });
    t.notOk(
      'sidecar.istio.io/status' in (probe?.sent.metadata.annotations ?? {}),
      "the injector's own record is not copied",
    );
    t.match(probe?.sent.spec, {
      imagePullSecrets: [{ name: 'mirror' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', value: 'web' }],
    });
    await probePodsGone(t, lab);
  },
);

t.test('a probe pod injected while its source is not is not trusted to probe for it (exit 2)', async (t) => {
  const lab = await clusterLab(t);
  // Injection enabled after the source started: new pods get a proxy, the source has none.
  lab.fake.mesh.enableInjection('b-apacherr');
  const run = await runPod(lab);
  t.equal(run.code, 2, run.stderr);
  const apache = (JSON.parse(run.stdout) as Json).sources.find((s: Json) => s.name === 'apache');
  t.match(apache.error, /^the probe pod got a Istio sidecar, while apacherr-6c9f7d-x2x4q runs none/);
  await probePodsGone(t, lab);
});
