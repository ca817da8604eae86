// Shared by the upstream suites: plain manifests in, the policy model out, through prober's own loader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadManifests } from '../../../src/config/load-manifests.ts';
import { buildModel, type Model } from '../../../src/policy/index.ts';
import { inputIo } from '../../helpers/input-io.ts';

/** A manifest as a plain object, the way it would be written to a file. */
export type Manifest = Record<string, unknown>;

/** A label selector with only `matchLabels`. */
export const labels = (map: Record<string, string>): Manifest => ({ matchLabels: map });

/** A label selector with one `matchExpressions` requirement. */
export const expr = (
  key: string,
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
  values?: string[],
): Manifest => ({
  matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
});

/** A Namespace object with its labels. */
export function namespaceObject(name: string, nsLabels: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: nsLabels } };
}

/** One container port of a pod. */
export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A running Pod as `kubectl get pod -o yaml` shows it: labels, container ports, status.podIP(s). */
export function podObject(
  namespace: string,
  name: string,
  podLabels: Record<string, string>,
  ports: readonly PodPort[],
  ip: string,
  owner?: { kind: string; name: string },
): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: podLabels,
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true, uid: `${owner.name}-uid` },
            ],
          }
        : {}),
    },
    spec: {
      containers: ports.map((p) => ({
        name: `cont-${p.port}-${p.protocol.toLowerCase()}`,
        image: 'agnhost',
        ports: [{ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) }],
      })),
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

/**
 * Writes the objects to one multi-document file and reads it back with prober's manifest loader,
 * as `prober simulate -f` would, then builds the model. Each call uses a fresh file name.
 */
export async function modelFromManifests(dir: string, objects: readonly Manifest[]): Promise<Model> {
  const file = join(dir, `step-${++counter}.yaml`);
  // Written as kubectl's YAML 1.1 writer would: the e2e namespace "y" quoted, or it reads as true.
  writeFileSync(file, objects.map((o) => stringify(o, { nullStr: 'null', version: '1.1' })).join('---\n'));
  const loaded = await loadManifests([file], inputIo());
  return buildModel(loaded.cluster);
}
let counter = 0;
