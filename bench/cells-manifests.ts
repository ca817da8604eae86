// Writes a synthetic cluster for whole-command `simulate` timings: `node bench/cells-manifests.ts DIR WORKLOADS POLICIES`.
// Namespaces of 10 workloads with app/tier/team labels, a named port and a Service each, and a mix of
// default-deny, namespace-label, pod-expression, ipBlock-with-except, port-range and egress policies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, workloadsArg = '2000', policiesArg = '400'] = process.argv.slice(2);
if (!dir) throw new Error('usage: node bench/cells-manifests.ts DIR [WORKLOADS] [POLICIES]');
const workloads = Number(workloadsArg);
const policies = Number(policiesArg);
const namespaces = Math.max(1, Math.ceil(workloads / 10));
mkdirSync(dir, { recursive: true });
const docs = (list: string[]): string => list.join('---\n');

writeFileSync(
  join(dir, 'namespaces.yaml'),
  docs(
    Array.from(
      { length: namespaces },
      (_, i) =>
        `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-${i}, labels: {team: t${i % 20}, env: ${['dev', 'test', 'prod'][i % 3]}}}\n`,
    ),
  ),
);
const objects: string[] = [];
for (let w = 0; w < workloads; w++) {
  const ns = `ns-${Math.floor(w / 10)}`;
  const labels = `{app: app-${w}, tier: tier-${w % 4}, team: t${w % 7}}`;
  objects.push(
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${w}, namespace: ${ns}}\nspec:\n  template:\n    metadata: {labels: ${labels}}\n    spec: {containers: [{name: c, image: app, ports: [{name: http, containerPort: 8080}]}]}\n`,
    `apiVersion: v1\nkind: Service\nmetadata: {name: app-${w}, namespace: ${ns}}\nspec: {selector: {app: app-${w}}, ports: [{port: 80, targetPort: http}]}\n`,
  );
}
writeFileSync(join(dir, 'workloads.yaml'), docs(objects));

const shapes = [
  (_p: number): string => '{podSelector: {}, policyTypes: [Ingress]}',
  (p: number): string =>
    `{podSelector: {matchLabels: {tier: tier-${p % 4}}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: t${p % 20}}}}], ports: [{port: http}]}]}`,
  (p: number): string =>
    `{podSelector: {matchLabels: {team: t${p % 7}}}, ingress: [{from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [tier-0, tier-1]}]}}, {namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}], ports: [{port: 8000, endPort: 8100}]}]}`,
  (p: number): string =>
    `{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.${p % 64}.0.0/16]}}]}]}`,
  (p: number): string =>
    `{podSelector: {matchLabels: {tier: tier-${p % 4}}}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {env: prod}}}]}, {ports: [{port: 53, protocol: UDP}]}]}`,
];
writeFileSync(
  join(dir, 'policies.yaml'),
  docs(
    Array.from(
      { length: policies },
      (_, p) =>
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: pol-${p}, namespace: ns-${p % namespaces}}\nspec: ${shapes[p % shapes.length]!(p)}\n`,
    ),
  ),
);
