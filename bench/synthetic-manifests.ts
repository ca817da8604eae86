// Synthetic manifest files for whole-command benchmarks and scale tests: namespaces, Deployments, NetworkPolicies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shape of a synthetic cluster written as YAML files. */
export interface ManifestSet {
  /** Deployments, spread over `workloads / 10` namespaces (at least one). */
  readonly workloads: number;
  /** Every n-th Deployment declares container port 8080 and so becomes a target of the matrix. */
  readonly servingEvery: number;
  /** Namespaces ns-0 … ns-(k-1) get a NetworkPolicy: their `role: backend` pods accept only `role: frontend` pods. */
  readonly isolatedNamespaces: number;
}

/** Facts of the set, enough to know every cell of its matrix without the policy engine. */
export interface ManifestFacts {
  /** What `simulate` must say for a cell: deny only from a backend to an isolated backend. */
  readonly expected: (from: number, to: number) => 'allow' | 'deny';
}

/** Writes namespaces.yaml, deployments.yaml and policies.yaml into `dir`; returns how to predict each cell. */
export function writeManifestSet(dir: string, set: ManifestSet): ManifestFacts {
  mkdirSync(dir, { recursive: true });
  const namespaces = Math.max(1, Math.floor(set.workloads / 10));
  const namespaceOf = (w: number): string => `ns-${w % namespaces}`;
  const roleOf = (w: number): 'frontend' | 'backend' => (w % 3 === 0 ? 'frontend' : 'backend');
  const docs = (list: string[]): string => list.join('---\n');
  writeFileSync(
    join(dir, 'namespaces.yaml'),
    docs(
      Array.from(
        { length: namespaces },
        (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-${i}, labels: {team: t${i % 20}}}\n`,
      ),
    ),
  );
  writeFileSync(
    join(dir, 'deployments.yaml'),
    docs(
      Array.from({ length: set.workloads }, (_, w) => {
        const ports = w % set.servingEvery === 0 ? ', ports: [{name: http, containerPort: 8080}]' : '';
        return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${w}, namespace: ${namespaceOf(w)}}\nspec:\n  template:\n    metadata: {labels: {app: app-${w}, role: ${roleOf(w)}}}\n    spec: {containers: [{name: c, image: app${ports}}]}\n`;
      }),
    ),
  );
  const isolated = Math.min(set.isolatedNamespaces, namespaces);
  writeFileSync(
    join(dir, 'policies.yaml'),
    docs(
      Array.from(
        { length: isolated },
        (_, k) =>
          `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: backend-from-frontend, namespace: ns-${k}}\nspec:\n  podSelector: {matchLabels: {role: backend}}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: frontend}}}], ports: [{port: 8080}]}]\n`,
      ),
    ),
  );
  const isIsolated = (w: number): boolean => roleOf(w) === 'backend' && w % namespaces < isolated;
  return { expected: (from, to) => (isIsolated(to) && roleOf(from) === 'backend' ? 'deny' : 'allow') };
}
