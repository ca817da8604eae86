// A lifelike synthetic cluster for whole-command benchmarks, built apart from the engine's own test data
// (bench/policy.ts): namespaces of 10 Deployments labelled app/tier/team, a named port and a Service each,
// and a mix of policies (default deny, tier rules, cross-namespace team and env rules, egress).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The shape of the set: `workloads` Deployments, ten to a namespace. */
export interface ClusterSet {
  readonly workloads: number;
  /** `yaml`: one multi-document file per kind; `json`: one `kubectl get -o json` List of every object. */
  readonly format: 'yaml' | 'json';
  /** Running Pods with IPs (what a cluster dump holds) instead of Deployments. */
  readonly pods?: boolean;
}

const TIERS = ['web', 'api', 'db', 'cache', 'worker'] as const;
const PORTS = [
  { name: 'http', containerPort: 8080 },
  { name: 'grpc', containerPort: 9090 },
  { name: 'pg', containerPort: 5432 },
  { name: 'redis', containerPort: 6379 },
  { name: 'metrics', containerPort: 9100 },
] as const;

type Manifest = Record<string, unknown>;

/** The objects of the set, in the order a cluster dump lists them: namespaces, workloads, Services, policies. */
function clusterObjects(workloads: number, pods: boolean): Manifest[] {
  const namespaces = Math.max(1, Math.ceil(workloads / 10));
  const objects: Manifest[] = [];
  for (let n = 0; n < namespaces; n++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `team${n % 7}-svc${n}`, labels: { team: `team${n % 7}`, env: n % 2 ? 'prod' : 'staging' } },
    });
  }
  const nsOf = (w: number): string => `team${Math.floor(w / 10) % 7}-svc${Math.floor(w / 10)}`;
  for (let w = 0; w < workloads; w++) {
    const tier = TIERS[w % TIERS.length]!;
    const port = PORTS[w % PORTS.length]!;
    const labels = { app: `app-${w}`, tier, team: `team${Math.floor(w / 10) % 7}` };
    const container = { name: 'main', image: `registry.example/app-${w}:1.${w % 9}`, ports: [port] };
    const ip = `10.${64 + (w >> 16)}.${(w >> 8) & 255}.${w & 255}`;
    objects.push(
      pods
        ? {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `app-${w}-7d9f8`, namespace: nsOf(w), labels },
            spec: { containers: [container] },
            status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
          }
        : {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: `app-${w}`, namespace: nsOf(w), labels },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: `app-${w}` } },
              template: {
                metadata: { labels },
                spec: { containers: [container] },
              },
            },
          },
    );
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `app-${w}`, namespace: nsOf(w) },
      spec: { selector: { app: `app-${w}` }, ports: [{ name: port.name, port: 80, targetPort: port.name }] },
    });
  }
  for (let n = 0; n < namespaces; n++) {
    const namespace = `team${n % 7}-svc${n}`;
    const meta = (name: string): Manifest => ({ name, namespace });
    if (n % 3 === 0)
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('default-deny'),
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('api-from-web'),
      spec: {
        podSelector: { matchLabels: { tier: 'api' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'grpc' }] }],
      },
    });
    if (n % 2 === 0)
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('db-from-team'),
        spec: {
          podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }] },
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: `team${n % 7}` } },
                  podSelector: { matchLabels: { tier: 'api' } },
                },
                { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } },
              ],
            },
          ],
        },
      });
    if (n % 5 === 0)
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('worker-egress'),
        spec: {
          podSelector: { matchLabels: { tier: 'worker' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
            { ports: [{ port: 53, protocol: 'UDP' }] },
          ],
        },
      });
  }
  return objects;
}

/** Writes the set into `dir` (created): `cluster.json`, or one YAML file per kind. */
export function writeClusterSet(dir: string, set: ClusterSet): void {
  mkdirSync(dir, { recursive: true });
  const objects = clusterObjects(set.workloads, set.pods ?? false);
  if (set.format === 'json') {
    writeFileSync(
      join(dir, 'cluster.json'),
      `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 4)}\n`,
    );
    return;
  }
  const byKind = new Map<string, Manifest[]>();
  for (const o of objects) byKind.set(String(o.kind), [...(byKind.get(String(o.kind)) ?? []), o]);
  for (const [kind, list] of byKind)
    writeFileSync(join(dir, `${kind.toLowerCase()}s.yaml`), list.map((o) => stringify(o)).join('---\n'));
}

if (import.meta.main) {
  const [dir, workloads, format, pods] = process.argv.slice(2);
  if (!dir) throw new Error('usage: node bench/cluster-set.ts DIR [WORKLOADS] [yaml|json] [pods]');
  writeClusterSet(dir, {
    workloads: Number(workloads ?? 200),
    format: format === 'json' ? 'json' : 'yaml',
    pods: pods === 'pods',
  });
}
