// In a pod, `prober run` starts its agents from its own image pinned to the digest its pod resolved
// (status imageID), so every agent runs exactly prober's build. Against the fake API server, with the
// repository's RBAC (the Role prober-self lets prober read its own pod).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { ownImage, repositoryOf } from '../../src/cluster/own-image.ts';
import { type ProberExit, proberCommand, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { clusterLab, LAB_TEST, proberRbac } from './fake/lab.ts';

type Json = Record<string, any>;

const D = `sha256:${'d'.repeat(64)}`;
const E = `sha256:${'e'.repeat(64)}`;

const ROWS: { name: string; image: string; imageID: string; agents: string }[] = [
  {
    name: 'containerd: the repository digest of the tag',
    image: 'ghcr.io/prober-dev/prober:0.1.0',
    imageID: `ghcr.io/prober-dev/prober@${D}`,
    agents: `ghcr.io/prober-dev/prober:0.1.0@${D}`,
  },
  {
    name: 'dockershim/cri-dockerd: the same behind docker-pullable://',
    image: 'mirror.example:5000/prober:0.1.0',
    imageID: `docker-pullable://mirror.example:5000/prober@${D}`,
    agents: `mirror.example:5000/prober:0.1.0@${D}`,
  },
  {
    name: 'a Docker Hub short name, resolved in full by the runtime',
    image: 'prober:dev',
    imageID: `docker.io/library/prober@${D}`,
    agents: `prober:dev@${D}`,
  },
  {
    name: 'an image loaded into the node (kind load): a local id, no registry digest',
    image: 'ghcr.io/prober-dev/prober:0.1.0',
    imageID: D,
    agents: 'ghcr.io/prober-dev/prober:0.1.0',
  },
  {
    name: "a digest of another repository: not this name's",
    image: 'ghcr.io/prober-dev/prober:0.1.0',
    imageID: `other.example/prober@${D}`,
    agents: 'ghcr.io/prober-dev/prober:0.1.0',
  },
  {
    name: 'a container not started yet: no imageID',
    image: 'ghcr.io/prober-dev/prober:0.1.0',
    imageID: '',
    agents: 'ghcr.io/prober-dev/prober:0.1.0',
  },
  {
    name: 'an image already pinned by digest stays as written',
    image: `ghcr.io/prober-dev/prober:0.1.0@${E}`,
    imageID: `ghcr.io/prober-dev/prober@${E}`,
    agents: `ghcr.io/prober-dev/prober:0.1.0@${E}`,
  },
];

t.test(
  "ownImage: its own pod's image, pinned to the digest the kubelet reports when it names this repository",
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.enforceRbac(proberRbac());
    const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const inPod = { inCluster: true, namespace: 'prober' };
    for (const [index, row] of ROWS.entries()) {
      fake.addPod({
        namespace: 'prober',
        name: `prober-lab-${index}`,
        labels: { 'job-name': 'prober-lab' },
        image: row.image,
        imageID: row.imageID,
      });
      t.equal(await ownImage(api, inPod, { HOSTNAME: `prober-lab-${index}` }), row.agents, row.name);
    }
    t.ok(
      fake.seen('get', 'pods').every((r) => r.code === 200 && r.namespace === 'prober'),
      "read under the Role prober-self, in prober's namespace",
    );
    t.equal(
      await ownImage(api, { inCluster: false, namespace: 'prober' }, { HOSTNAME: 'prober-lab-0' }),
      undefined,
      'outside a pod: none',
    );
  },
);

t.test('repositoryOf: names as the runtime resolves them', async (t) => {
  const rows: [string, string][] = [
    ['redis', 'docker.io/library/redis'],
    ['redis:7.4.6', 'docker.io/library/redis'],
    ['nicolas/webdis:0.1.22', 'docker.io/nicolas/webdis'],
    ['localhost/prober:dev', 'localhost/prober'],
    [`registry.example:5000/team/prober:1@${D}`, 'registry.example:5000/team/prober'],
  ];
  for (const [image, want] of rows) t.equal(repositoryOf(image), want, image);
});

/**
 * Runs `prober run` as it runs in a pod: its service account mounted at the real path (a tmpfs over
 * /run in a private mount namespace, so the host is untouched), KUBERNETES_SERVICE_* and HOSTNAME set.
 */
function runInPod(fake: FakeApiServer, dir: string, hostname: string, args: readonly string[]): Promise<ProberExit> {
  const sa = join(dir, 'serviceaccount');
  mkdirSync(sa, { recursive: true });
  const files: Record<string, string> = { token: fake.token, 'ca.crt': fake.caCertificate, namespace: 'prober' };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(sa, name), text);
  const script = join(dir, 'in-pod.sh');
  writeFileSync(
    script,
    [
      'set -e',
      'mount -t tmpfs -o size=1m prober-test /run',
      'mkdir -p /run/secrets/kubernetes.io/serviceaccount',
      `cp ${sa}/* /run/secrets/kubernetes.io/serviceaccount/`,
      'exec "$@"',
      '',
    ].join('\n'),
  );
  const [command, ...lead] = proberCommand();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    HOSTNAME: hostname,
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: new URL(fake.url).port,
  };
  return startProcess(['unshare', '--mount', '--propagation', 'private', 'sh', script, command, ...lead, ...args], {
    env,
  }).exited;
}

t.test('prober run in a pod: every agent runs its own build, by digest (exit 0)', async (t) => {
  const lab = await clusterLab(t);
  const dir = tempDir(t, 'in-pod');
  lab.fake.addNamespace('prober', { name: 'prober' });
  lab.fake.addPod({
    namespace: 'prober',
    name: 'prober-lab-x7k2p',
    labels: { 'job-name': 'prober-lab' },
    image: 'registry.example/prober:0.1.0',
    imageID: `registry.example/prober@${D}`,
  });
  const test = join(dir, 'lab.yaml');
  writeFileSync(test, LAB_TEST);
  const run = await runInPod(lab.fake, dir, 'prober-lab-x7k2p', ['run', '-f', test, '-o', 'json']);
  t.equal(run.code, 0, run.stderr);
  t.match(
    JSON.parse(run.stdout).metadata,
    { context: /^in-cluster \(https:\/\/127\.0\.0\.1:\d+\)$/ },
    'connected as a pod does, with its service account',
  );
  const agents = ['b-apacherr/apacherr-6c9f7d-x2x4q', 'c-app-count/app-count-7f8b9-abcde'].map((id) => {
    const [namespace = '', name = ''] = id.split('/');
    return (lab.fake.pod(namespace, name)?.spec.ephemeralContainers as Json[] | undefined)?.map((c) => c.image);
  });
  t.same(
    agents,
    [[`registry.example/prober:0.1.0@${D}`], [`registry.example/prober:0.1.0@${D}`]],
    "both agents run prober's own image, pinned to its digest",
  );
  t.same(
    lab.fake
      .seen('get', 'pods')
      .filter((r) => r.namespace === 'prober')
      .map((r) => [r.name, r.code]),
    [['prober-lab-x7k2p', 200]],
    'its own pod, read once, allowed by prober-self',
  );
});
