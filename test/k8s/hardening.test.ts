// Every pod of the lab and of the prober meets the "restricted" Pod Security Standard and has resource bounds.

import t from 'tap';
import { type Container, type PodTemplate, podTemplates, renderAll } from './lab.ts';

const { all } = renderAll();
const templates = podTemplates(all);

/** The effective value of a security setting: the container's, else the pod's. */
function effective(pod: PodTemplate, container: Container, key: string): unknown {
  return container.securityContext?.[key] ?? pod.spec.securityContext?.[key];
}

t.test('there is a pod template for every workload, the Job included', async (t) => {
  t.same(templates.map((p) => p.owner).sort(), [
    'Deployment/apacherr',
    'Deployment/prober-watch',
    'Deployment/pythonapp',
    'Deployment/redis',
    'Deployment/traefik-ingress-controller',
    'Job/prober-lab',
  ]);
});

for (const pod of templates) {
  t.test(`${pod.owner} (${pod.namespace}) is hardened`, async (t) => {
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) t.notOk(pod.spec[field], `no ${field}`);
    t.notOk(
      (pod.spec.volumes ?? []).some((v) => 'hostPath' in v),
      'no hostPath volume',
    );
    const seccomp = (pod.spec.securityContext?.seccompProfile as { type?: string } | undefined)?.type;
    t.equal(seccomp, 'RuntimeDefault', 'seccomp RuntimeDefault');
    for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const label = `container ${container.name}`;
      t.equal(effective(pod, container, 'runAsNonRoot'), true, `${label}: runAsNonRoot`);
      const uid = effective(pod, container, 'runAsUser');
      t.ok(
        typeof uid === 'number' && uid > 0,
        `${label}: runs as a numeric non-root uid (${String(uid)}), so runAsNonRoot can be checked before start`,
      );
      t.equal(container.securityContext?.allowPrivilegeEscalation, false, `${label}: no privilege escalation`);
      t.notOk(container.securityContext?.privileged, `${label}: not privileged`);
      t.same(container.securityContext?.capabilities?.drop, ['ALL'], `${label}: drops all capabilities`);
      t.notOk(container.securityContext?.capabilities?.add?.length, `${label}: adds none`);
      t.equal(container.securityContext?.readOnlyRootFilesystem, true, `${label}: read-only root filesystem`);
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'])
          t.ok(container.resources?.[kind]?.[resource], `${label}: ${resource} ${kind}`);
      }
      t.match(
        container.image,
        /^[^:@]+:[^:@]+(@sha256:[0-9a-f]{64})?$/,
        `${label}: image ${container.image} names a tag`,
      );
      t.notMatch(container.image, /:latest$/, `${label}: not :latest`);
    }
  });
}
