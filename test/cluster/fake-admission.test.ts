// The fake cluster's kubelet and admission checks on their own, against the messages of the upstream code
// they copy (pkg/kubelet/kuberuntime verifyRunAsNonRoot, the ResourceQuota and LimitRanger admission
// plugins, the API server's request and etcd size limits). The Kubernetes API is the in-process fake.

import t from 'tap';
import { effectiveSecurityContext, runAsNonRootError } from './fake/security-context.ts';

type Json = Record<string, unknown>;

const pod = (securityContext?: Json): Json => ({
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u1' },
  spec: { ...(securityContext ? { securityContext } : {}), containers: [] },
});

t.test('the effective security context: the container overrides the pod field by field', async (t) => {
  t.same(
    effectiveSecurityContext(pod({ runAsUser: 0, runAsGroup: 0, fsGroup: 2000 }), {
      securityContext: { runAsNonRoot: true, runAsUser: 65532 },
    }),
    { runAsUser: 65532, runAsGroup: 0, runAsNonRoot: true },
    'fsGroup is pod-only; runAsGroup comes from the pod',
  );
});

t.test('verifyRunAsNonRoot: the kubelet refuses exactly what would run as root', async (t) => {
  const agent = (securityContext: Json): Json => ({ name: 'prober-abc', securityContext });
  const where = '(pod: "web-1_shop(u1)", container: prober-abc)';
  t.equal(
    runAsNonRootError(pod({ runAsUser: 0 }), agent({ runAsNonRoot: true }), '65532'),
    `container's runAsUser breaks non-root policy ${where}`,
    'the pod runs as root and the container does not say otherwise',
  );
  t.equal(runAsNonRootError(pod({ runAsUser: 0 }), agent({ runAsNonRoot: true, runAsUser: 65532 }), ''), undefined);
  t.equal(
    runAsNonRootError(pod(), agent({ runAsNonRoot: true }), ''),
    `container has runAsNonRoot and image will run as root ${where}`,
    'an image without a user runs as root',
  );
  t.equal(
    runAsNonRootError(pod(), agent({ runAsNonRoot: true }), 'nobody'),
    `container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root ${where}`,
  );
  t.equal(runAsNonRootError(pod(), agent({ runAsNonRoot: true }), '65532:65532'), undefined);
  t.equal(runAsNonRootError(pod({ runAsNonRoot: true }), agent({ runAsNonRoot: false }), '0'), undefined);
  t.equal(
    runAsNonRootError(pod({ runAsNonRoot: true, runAsUser: 0 }), agent({}), '65532'),
    `container's runAsUser breaks non-root policy ${where}`,
    'both from the pod',
  );
});
