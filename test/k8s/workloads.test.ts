// Cross-checks between the lab's workloads, Services, ConfigMaps and Ingress that catch deployment bugs.

import t from 'tap';
import { idOf, namespaceLabels, podTemplates, renderAll, resolveTargetPort, selects, services } from './lab.ts';
import { CLUSTER_SCOPED, ofKind } from './manifests.ts';

const { all } = renderAll();
const templates = podTemplates(all);
const svcs = services(all);
const configMaps = new Map(
  ofKind(all, 'ConfigMap').map(({ object }) => [
    `${object.metadata.namespace}/${object.metadata.name}`,
    (object.data ?? {}) as Record<string, string>,
  ]),
);
const dns = (name: string, namespace: string): string => `${name}.${namespace}.svc.cluster.local`;

t.test('workload selectors match their own pod templates', async (t) => {
  const workloads = all.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.object.kind));
  t.equal(workloads.length, 5, "one workload per lab namespace, and prober watch --cluster's");
  for (const { object, where } of workloads) {
    const spec = object.spec as {
      selector: { matchLabels?: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    t.ok(Object.keys(spec.selector.matchLabels ?? {}).length > 0, `${where}: selector is not empty`);
    t.ok(
      selects(spec.selector, spec.template.metadata.labels),
      `${where}: ${idOf(object)} selector matches its template labels`,
    );
  }
});

t.test('every Service selects a pod template and every targetPort exists on it', async (t) => {
  t.equal(svcs.length, 5, "the lab's four and prober-watch's metrics");
  for (const svc of svcs) {
    const selected = templates.filter(
      (p) => p.namespace === svc.namespace && selects({ matchLabels: svc.selector }, p.labels),
    );
    t.equal(selected.length, 1, `${svc.where}: ${svc.name} selects exactly one workload`);
    for (const template of selected) {
      for (const port of svc.ports) {
        const target = port.targetPort ?? port.port;
        t.ok(
          resolveTargetPort(template, target, port.protocol),
          `${svc.where}: ${svc.name}:${port.port} → ${target} exists in ${template.owner}`,
        );
      }
    }
  }
});

t.test('namespaces, service accounts, volumes and probe ports referred to exist', async (t) => {
  const namespaces = namespaceLabels(all);
  for (const { object, where } of all) {
    if (!CLUSTER_SCOPED.has(object.kind))
      t.ok(
        namespaces.has(object.metadata.namespace ?? ''),
        `${where}: namespace ${object.metadata.namespace} is created`,
      );
  }
  const accounts = new Set(
    ofKind(all, 'ServiceAccount').map(({ object }) => `${object.metadata.namespace}/${object.metadata.name}`),
  );
  for (const p of templates) {
    t.ok(p.spec.serviceAccountName, `${p.where}: ${p.owner} has its own service account`);
    t.ok(
      accounts.has(`${p.namespace}/${p.spec.serviceAccountName}`),
      `${p.where}: service account ${p.spec.serviceAccountName} exists`,
    );
    const volumes = new Map((p.spec.volumes ?? []).map((v) => [v.name, v]));
    for (const volume of volumes.values()) {
      if (volume.configMap)
        t.ok(
          configMaps.has(`${p.namespace}/${volume.configMap.name}`),
          `${p.where}: ConfigMap ${volume.configMap.name} exists in ${p.namespace}`,
        );
    }
    for (const container of p.spec.containers) {
      for (const mount of container.volumeMounts ?? [])
        t.ok(volumes.has(mount.name), `${p.where}: ${container.name} mounts declared volume ${mount.name}`);
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (port !== undefined)
          t.ok(
            resolveTargetPort({ ...p, spec: { ...p.spec, containers: [container] } }, port),
            `${p.where}: ${container.name} probe port ${port} exists`,
          );
      }
    }
  }
});

t.test('the Ingress routes pippo.lan through an existing class to an existing Service port', async (t) => {
  const classes = new Set(ofKind(all, 'IngressClass').map(({ object }) => object.metadata.name));
  const ingresses = ofKind(all, 'Ingress');
  t.equal(ingresses.length, 1);
  for (const { object, where } of ingresses) {
    const spec = object.spec as {
      ingressClassName: string;
      rules: {
        host: string;
        http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] };
      }[];
    };
    t.ok(classes.has(spec.ingressClassName), `${where}: IngressClass ${spec.ingressClassName} exists`);
    t.same(
      spec.rules.map((r) => r.host),
      ['pippo.lan'],
      `${where}: the seed's host`,
    );
    for (const path of spec.rules.flatMap((r) => r.http.paths)) {
      const { name, port } = path.backend.service;
      const svc = svcs.find((s) => s.namespace === object.metadata.namespace && s.name === name);
      t.ok(
        svc?.ports.some((p) => p.name === port.name || p.port === port.number),
        `${where}: backend ${name}:${port.name ?? port.number} exists`,
      );
    }
  }
});

t.test('the configured upstreams are the Services that exist', async (t) => {
  const redis = svcs.find((s) => s.name === 'redis-svc');
  const app = svcs.find((s) => s.name === 'app-count-svc');
  if (!redis || !app) throw new Error('lab Services missing');
  const appTemplate = templates.find((p) => p.owner === 'Deployment/pythonapp');
  const env = Object.fromEntries(
    (appTemplate?.spec.containers[0] as { env?: { name: string; value: string }[] } | undefined)?.env?.map((e) => [
      e.name,
      e.value,
    ]) ?? [],
  );
  t.equal(env.REDIS_ENDPOINT, dns(redis.name, redis.namespace), 'the app finds Redis by its Service name');
  t.equal(Number(env.REDIS_PORT), redis.ports[0]?.port, 'on the Service port');
  t.equal(resolveTargetPort(appTemplate!, 'http'), Number(env.PORT), 'the app listens where its Service sends');

  const vhost = configMaps.get('b-apacherr/apacherr-80-config')?.['apacherr.conf'] ?? '';
  const define = (name: string): string | undefined => new RegExp(`^\\s*Define ${name} (\\S+)$`, 'm').exec(vhost)?.[1];
  t.equal(
    define('APACHERR_APP_UPSTREAM'),
    `${dns(app.name, app.namespace)}:${app.ports[0]?.port}`,
    '/count/* goes to the app Service',
  );
  const webdis = JSON.parse(configMaps.get('b-apacherr/apacherr-webdis-config')?.['webdis.json'] ?? '{}') as Record<
    string,
    unknown
  >;
  t.equal(
    define('APACHERR_WEBDIS_UPSTREAM'),
    `${webdis.http_host}:${webdis.http_port}`,
    '/redis/* goes to the webdis sidecar',
  );
  t.equal(webdis.http_host, '127.0.0.1', 'webdis is reachable from its own pod only');
  t.equal(webdis.redis_host, dns(redis.name, redis.namespace), 'webdis talks to Redis directly (case 2)');
  t.equal(webdis.redis_port, redis.ports[0]?.port);
  const apache = templates.find((p) => p.owner === 'Deployment/apacherr');
  t.same(
    apache?.spec.containers.map((c) => c.name),
    ['httpd', 'webdis'],
    'webdis is a sidecar of Apache',
  );
  const httpd = configMaps.get('b-apacherr/apacherr-80-config')?.['httpd.conf'] ?? '';
  t.equal(
    Number(/^\s*Define APACHERR_LISTEN (\d+)$/m.exec(httpd)?.[1]),
    resolveTargetPort(apache!, 'http'),
    'httpd listens on its container port',
  );
});
