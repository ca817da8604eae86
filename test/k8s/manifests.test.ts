// Every YAML document under k8s/ and policies/ parses and validates against the schema of its kind.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadLabProfile } from '../../src/config/load-lab-profile.ts';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { inputIo } from '../helpers/input-io.ts';
import { renderAll } from './lab.ts';
import { CLUSTER_SCOPED, type K8sObject, REPO, readDocuments, yamlFiles } from './manifests.ts';
import { validateObject } from './validate.ts';

const files = [...yamlFiles('k8s'), ...yamlFiles('policies')];

/**
 * Bases applied once per namespace, whose objects name none on purpose: an overlay's `namespace:`
 * or `kubectl apply -n NS -k DIR` gives each copy its own. Their rendered copies are checked below.
 */
const PER_NAMESPACE_BASES = [
  'k8s/prober/source-namespace/',
  'k8s/prober/probe-pod-namespace/',
  'k8s/prober/resident-namespace/',
];

t.test('every document parses and matches the schema of its kind', async (t) => {
  let validated = 0;
  for (const file of files) {
    for (const { object, where } of readDocuments(file)) {
      switch (object.kind) {
        case 'Kustomization':
          t.equal(object.apiVersion, 'kustomize.config.k8s.io/v1beta1', `${where}: kustomization apiVersion`);
          break;
        case 'ReachabilityTest':
          // The prober's own loader: schema, URLs, rule conflicts.
          await t.resolves(loadReachabilityTest(`${REPO}/${file}`, inputIo()), `${where}: loads as a ReachabilityTest`);
          break;
        case 'LabProfile':
          // The local lab's profile (policies/lab-profile.yaml): prober's own loader, like a test.
          await t.resolves(loadLabProfile(`${REPO}/${file}`, inputIo()), `${where}: loads as a LabProfile`);
          break;
        default: {
          t.same(await validateObject(object), [], `${where}: ${object.kind} ${object.metadata?.name} is valid`);
          // Without kustomize (kubectl apply -f) a missing namespace would mean "default".
          const perNamespace = PER_NAMESPACE_BASES.some((dir) => file.startsWith(dir));
          if (!CLUSTER_SCOPED.has(object.kind))
            t.equal(
              Boolean(object.metadata.namespace),
              !perNamespace,
              `${where}: ${perNamespace ? 'leaves the namespace to its overlay' : 'names its namespace'}`,
            );
          validated++;
        }
      }
    }
  }
  // The lab has well over 30 objects: a glob that silently matched nothing must not pass.
  t.ok(validated >= 30, `validated ${validated} objects`);
});

t.test('every namespaced object the kustomizations render has its namespace', async (t) => {
  const { all } = renderAll();
  for (const { object, where } of all) {
    if (!CLUSTER_SCOPED.has(object.kind))
      t.ok(object.metadata.namespace, `${where}: ${object.kind} ${object.metadata.name} lands in a namespace`);
  }
});

t.test('the validation rejects the mistakes it is there for', async (t) => {
  const [deployment] = readDocuments('k8s/01-apache/B-03-k8s-apacherr-dpl.yaml').filter(
    (d) => d.object.kind === 'Deployment',
  );
  const [cnp] = readDocuments('policies/cilium/redis-from-app-count.yaml');
  const [peer] = readDocuments('policies/istio/00-peer-authentication.yaml');
  const [authz] = readDocuments('policies/istio/01-redis-from-time-app.yaml');
  const [limit] = readDocuments('policies/istio/02-time-app-rate-limit.yaml');
  const [service] = readDocuments('k8s/02-redis/D-01-lab-redis-svc.yaml');
  const [rule] = readDocuments('k8s/prober/watch/prometheus-rule.yaml');
  const [monitor] = readDocuments('k8s/prober/watch/service-monitor.yaml');
  if (!deployment || !cnp || !peer || !authz || !limit || !service || !rule || !monitor)
    throw new Error('fixture documents missing');
  const mutate = (object: K8sObject, change: (copy: any) => void): K8sObject => {
    const copy = structuredClone(object);
    change(copy);
    return copy;
  };
  const cases: [string, K8sObject][] = [
    [
      'misspelled securityContext field',
      mutate(
        deployment.object,
        (d) => (d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true),
      ),
    ],
    [
      'container port as a string',
      mutate(deployment.object, (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = '8080')),
    ],
    ['Deployment without a selector', mutate(deployment.object, (d) => delete d.spec.selector)],
    ['Service port as a word', mutate(service.object, (s) => (s.spec.ports[0].port = 'six'))],
    [
      'Cilium protocol in lower case',
      mutate(cnp.object, (c) => (c.spec.ingress[0].toPorts[0].ports[0].protocol = 'tcp')),
    ],
    [
      'Cilium rule field misspelled',
      mutate(cnp.object, (c) => (c.spec.ingress[0].fromEndpoint = c.spec.ingress[0].fromEndpoints)),
    ],
    ['Istio mTLS mode in lower case', mutate(peer.object, (p) => (p.spec.mtls.mode = 'strict'))],
    ['Istio source field misspelled', mutate(authz.object, (a) => (a.spec.rules[0].from[0].source.principal = ['x']))],
    [
      'EnvoyFilter patch context in lower case',
      mutate(limit.object, (e) => (e.spec.configPatches[0].match.context = 'sidecar_inbound')),
    ],
    ['PrometheusRule field misspelled', mutate(rule.object, (r) => (r.spec.groups[0].rules[0].fore = '5m'))],
    ['PrometheusRule duration in Go syntax', mutate(rule.object, (r) => (r.spec.groups[0].rules[0].for = '1.5m'))],
    ['ServiceMonitor field misspelled', mutate(monitor.object, (m) => (m.spec.endpoints[0].scrapeTimout = '5s'))],
    ['ServiceMonitor port and targetPort both', mutate(monitor.object, (m) => (m.spec.endpoints[0].targetPort = 9464))],
    ['unknown API group', mutate(service.object, (s) => (s.apiVersion = 'example.com/v1'))],
  ];
  for (const [name, object] of cases) t.not((await validateObject(object)).length, 0, name);
});

t.test('every manifest under k8s/ is deployed by a kustomization', async (t) => {
  const { files: rendered } = renderAll();
  const used = new Set(rendered);
  for (const file of yamlFiles('k8s'))
    t.ok(used.has(file), `${file} is listed by k8s/, k8s/prober/job/ or k8s/prober/simulate/`);
  t.ok(used.has('policies/expectations.yaml'), 'the prober Job gets its expectations from policies/');
});

/** An image reference split as the runtime reads it: `name[:tag][@sha256:…]` (a registry port is part of the name). */
function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [ref = '', digest] = image.split('@');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const [name, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Images built from this repository: not published yet, so set by tag in a kustomization. */
const BUILT_HERE = 'ghcr.io/prober-dev/';

function containerImages(): { image: string; where: string }[] {
  const { all } = renderAll();
  return all.flatMap(({ object, where }) => {
    const spec = (
      object.spec as
        | { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } }
        | undefined
    )?.template?.spec;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => ({ image: c.image, where }));
  });
}

t.test('images have fixed tags, and those built here are set once in a kustomization', async (t) => {
  const { renderKustomization } = await import('./manifests.ts');
  const overrides = [...renderKustomization('k8s').images, ...renderKustomization('k8s/prober/job').images];
  const images = containerImages();
  t.ok(images.length >= 6, `found ${images.length} container images`);
  for (const { image, where } of images) {
    const { name, tag } = parseImage(image);
    t.ok(tag && tag !== 'latest', `${where}: ${image} has a fixed tag`);
    if (name.startsWith(BUILT_HERE)) {
      const override = overrides.find((o) => o.name === name);
      t.ok(override, `${where}: ${name} can be overridden with kustomize images:`);
      t.equal(override?.newTag, tag, `${where}: ${name} tag agrees with its kustomization`);
    }
  }
});

t.test(
  'every third-party image is pinned by the digest of its tag, and k8s/README.md says where it is stated',
  async (t) => {
    const readme = readFileSync(join(REPO, 'k8s', 'README.md'), 'utf8');
    const thirdParty = containerImages().filter(({ image }) => !image.startsWith(BUILT_HERE));
    t.same(
      [...new Set(thirdParty.map(({ image }) => parseImage(image).name))].sort(),
      ['httpd', 'nicolas/webdis', 'redis', 'traefik'],
      "the lab's four upstream images",
    );
    for (const { image, where } of thirdParty) {
      const { name, tag, digest } = parseImage(image);
      t.match(digest, /^sha256:[0-9a-f]{64}$/, `${where}: ${name}:${tag} is pinned by digest`);
      t.ok(tag, `${where}: the tag stays beside the digest, for people`);
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}:${tag}\``));
      t.ok(row?.includes(String(digest)), `${where}: k8s/README.md lists ${name}:${tag} with the same digest`);
      t.match(row, /https:\/\/github\.com\/\S+/, `${where}: and the public source that states it`);
    }
  },
);

t.test('the image parser reads registries, ports, tags and digests', async (t) => {
  const rows: [string, ReturnType<typeof parseImage>][] = [
    ['redis:7.4.6', { name: 'redis', tag: '7.4.6' }],
    [
      `registry.example:5000/team/app:1.2@sha256:${'a'.repeat(64)}`,
      { name: 'registry.example:5000/team/app', tag: '1.2', digest: `sha256:${'a'.repeat(64)}` },
    ],
    ['registry.example:5000/app', { name: 'registry.example:5000/app' }],
    [`nicolas/webdis@sha256:${'b'.repeat(64)}`, { name: 'nicolas/webdis', digest: `sha256:${'b'.repeat(64)}` }],
  ];
  for (const [image, want] of rows) t.same(parseImage(image), want, image);
});
