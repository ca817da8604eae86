// Manifest loading: files and directories, workload kinds, Services, policies, file:line errors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadManifests } from '../../src/config/load-manifests.ts';
import { buildModel } from '../../src/policy/index.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';

const LAB = {
  'ns.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: c-app-count, labels: {name: c-app-count, purpose: app}}
---
apiVersion: v1
kind: Namespace
metadata: {name: d-redis, labels: {name: d-redis}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b-apacherr}
`,
  'apps/redis.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: d-redis}
spec:
  template:
    metadata: {labels: {app: redis, track: redis}}
    spec:
      containers:
      - name: redis
        image: redis
        ports: [{name: redis, containerPort: 6379}]
---
apiVersion: v1
kind: Service
metadata: {name: redis-svc, namespace: d-redis}
spec:
  selector: {app: redis}
  ports: [{port: 6379, targetPort: redis}]
`,
  'apps/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: pythonapp, namespace: c-app-count}
spec:
  template:
    metadata:
      labels: {app: pythonapp}
      annotations: {sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: app
      containers:
      - {name: app, image: app, ports: [{name: http, containerPort: 8080}]}
`,
  'apps/apache.json': JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'apacherr', namespace: 'b-apacherr' },
        spec: {
          template: {
            metadata: { labels: { app: 'apacherr' } },
            spec: { containers: [{ name: 'httpd', ports: [{ containerPort: 80 }] }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'apacherr-80-config', namespace: 'b-apacherr' },
        data: {},
      },
    ],
  }),
  'apps/kustomization.yaml': 'resources: [redis.yaml, app.yaml]\n',
  'apps/README.md': '# not a manifest\n',
  'edge/traefik.yaml': `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: traefik, namespace: a-ingress-traefik}
spec:
  template:
    metadata: {labels: {app: traefik}}
    spec: {hostNetwork: true, containers: [{name: traefik}]}
`,
  'policies/isolate.yaml': `# the seed's policy
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: isolate-namespace
  namespace: d-redis
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {name: c-app-count}
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {name: c-app-count}
`,
};

/** The line the CLI prints for a failed load (ConfigErrors name file:line themselves). */
async function failure(pending: Promise<unknown>): Promise<string> {
  try {
    await pending;
    return 'loaded without error';
  } catch (error) {
    return error instanceof ConfigError ? error.toString() : error instanceof Error ? error.message : String(error);
  }
}

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

t.test('a directory of manifests becomes the engine input', async (t) => {
  const dir = tempDir(t, 'manifests');
  await writeTree(dir, LAB);
  const loaded = await loadManifests(['.'], inputIo(dir));
  t.same(loaded.files, [
    'apps/apache.json',
    'apps/app.yaml',
    'apps/redis.yaml',
    'edge/traefik.yaml',
    'ns.yaml',
    'policies/isolate.yaml',
  ]);
  t.same(
    loaded.cluster.workloads.map((w) => [
      w.namespace,
      w.name,
      w.kind,
      w.labels,
      w.serviceAccount,
      w.ports,
      w.mesh,
      w.source,
    ]),
    [
      [
        'b-apacherr',
        'apacherr',
        'StatefulSet',
        { app: 'apacherr' },
        undefined,
        [{ port: 80, protocol: 'TCP' }],
        undefined,
        'apps/apache.json:1',
      ],
      [
        'c-app-count',
        'pythonapp',
        'Deployment',
        { app: 'pythonapp' },
        'app',
        [{ port: 8080, protocol: 'TCP', name: 'http' }],
        true,
        'apps/app.yaml:1',
      ],
      [
        'd-redis',
        'redis',
        'Deployment',
        { app: 'redis', track: 'redis' },
        undefined,
        [{ port: 6379, protocol: 'TCP', name: 'redis' }],
        undefined,
        'apps/redis.yaml:1',
      ],
    ],
  );
  t.same(
    loaded.cluster.services.map((s) => [s.namespace, s.name, s.selector, s.ports, s.source]),
    [
      [
        'd-redis',
        'redis-svc',
        { app: 'redis' },
        [{ port: 6379, protocol: 'TCP', targetPort: 'redis' }],
        'apps/redis.yaml:13',
      ],
    ],
  );
  t.same(
    loaded.cluster.policies.map((p) => p.source),
    ['policies/isolate.yaml:2'],
  );
  t.same(loaded.ignoredKinds, { ConfigMap: 1 });
  t.match(loaded.warnings, [/edge\/traefik\.yaml:1: DaemonSet a-ingress-traefik\/traefik uses hostNetwork/]);

  const model = buildModel(loaded.cluster);
  const decide = (from: string, to: string) =>
    model.decide({ from: { workload: from }, to: { workload: to }, port: 6379 }).verdict;
  t.equal(decide('b-apacherr/apacherr', 'd-redis/redis'), 'deny', 'case 2: apache to redis denied');
  t.equal(decide('c-app-count/pythonapp', 'd-redis/redis'), 'allow', 'app to redis allowed');
  const target = model.resolveTarget('redis-svc.d-redis.svc.cluster.local', 6379);
  t.match(target, { kind: 'service', endpoints: [{ port: 6379 }] });
});

t.test('a policy error points at the field line', async (t) => {
  const dir = tempDir(t, 'manifests');
  await writeTree(dir, {
    'bad.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {}
      ipBlock: {cidr: 10.0.0.0/8}
    ports:
    - port: 80
      endPort: 70
`,
  });
  await t.rejects(
    loadManifests(['bad.yaml'], inputIo(dir)),
    /^bad\.yaml:12: NetworkPolicy x\/p: spec\.ingress\[0\]\.from\[0\]: ipBlock cannot be combined/,
  );
});

t.test('YAML syntax errors, duplicates, bad ports and missing paths name the file and line', async (t) => {
  const dir = tempDir(t, 'manifests');
  await writeTree(dir, {
    'syntax.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x\n',
    'dup.yaml':
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n',
    'port.yaml':
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: http\n',
  });
  t.match(await failure(loadManifests(['syntax.yaml'], inputIo(dir))), /^syntax\.yaml:\d+: invalid YAML/);
  t.match(
    await failure(loadManifests(['dup.yaml'], inputIo(dir))),
    /^dup\.yaml:5: Namespace x is already declared at dup\.yaml:1/,
  );
  t.match(
    await failure(loadManifests(['port.yaml'], inputIo(dir))),
    /^port\.yaml:8: containerPort must be a port number/,
  );
  t.match(
    await failure(loadManifests(['missing'], inputIo(dir))),
    /^missing: unable to read manifests: no such file or directory$/,
  );
});
