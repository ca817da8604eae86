// PodDisruptionBudget status as kube-controller-manager's disruption controller computes it
// (pkg/controller/disruption/disruption.go trySync, getExpectedPodCount, getExpectedScale, failSafe): with
// maxUnavailable or a percentage minAvailable, every selected pod's controller must be found with a scale
// (ReplicaSet, … or a kind with a scale subresource); a controller that has none — a Pod — fails the sync,
// and failSafe sets disruptionsAllowed to 0 with a SyncFailed condition. Pods without a controller are only
// reported (UnmanagedPods), and an integer minAvailable never looks at controllers.

import { parseSelector } from './selector.ts';

type Json = Record<string, any>;

/** A PodDisruptionBudget as a test declares it. */
export interface PdbFixture {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Record<string, string>;
  readonly maxUnavailable?: number | string;
  readonly minAvailable?: number | string;
}

const ready = (pod: Json): boolean =>
  !pod.metadata.deletionTimestamp &&
  ((pod.status?.conditions ?? []) as Json[]).some((c) => c.type === 'Ready' && c.status === 'True');

/** intstr.GetScaledValueFromIntOrPercent, rounding up. */
const scaled = (value: number | string, total: number): number =>
  typeof value === 'number' ? value : Math.ceil((Number.parseInt(value, 10) * total) / 100);

/** getExpectedScale: the sum of the selected pods' controllers' scales, or the error that fails the sync. */
function expectedScale(pods: readonly Json[], scaleOf: (uid: string) => number | undefined): number | string {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const ref = ((pod.metadata.ownerReferences ?? []) as Json[]).find((r) => r.controller === true);
    if (!ref || scales.has(ref.uid)) continue;
    // getScaleController: a Pod is served, but has no scale subresource (implementsScale is false).
    if (ref.kind === 'Pod') return 'pods does not implement the scale subresource';
    const scale = scaleOf(String(ref.uid));
    if (scale === undefined) return `found no controllers for pod "${pod.metadata.name}"`;
    scales.set(ref.uid, scale);
  }
  return [...scales.values()].reduce((a, b) => a + b, 0);
}

/** The PDB object with the status the disruption controller would write now, given the namespace's pods. */
export function pdbObject(pdb: PdbFixture, pods: readonly Json[], scaleOf: (uid: string) => number | undefined): Json {
  const match = parseSelector(
    Object.entries(pdb.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
  const selected = pods.filter((p) => match((p.metadata.labels ?? {}) as Record<string, string>));
  const spec = {
    selector: { matchLabels: pdb.selector },
    ...(pdb.maxUnavailable !== undefined ? { maxUnavailable: pdb.maxUnavailable } : {}),
    ...(pdb.minAvailable !== undefined ? { minAvailable: pdb.minAvailable } : {}),
  };
  const object = (status: Json): Json => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: pdb.name, namespace: pdb.namespace },
    spec,
    status,
  });
  let expected: number;
  let desired: number;
  if (pdb.maxUnavailable !== undefined || typeof pdb.minAvailable === 'string') {
    const scale = expectedScale(selected, scaleOf);
    if (typeof scale === 'string')
      return object({
        disruptionsAllowed: 0,
        conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: scale }],
      });
    expected = scale;
    desired =
      pdb.maxUnavailable !== undefined
        ? Math.max(0, expected - scaled(pdb.maxUnavailable, expected))
        : scaled(pdb.minAvailable as string, expected);
  } else {
    expected = selected.length;
    desired = Number(pdb.minAvailable ?? 0);
  }
  const healthy = selected.filter(ready).length;
  const allowed = expected <= 0 ? 0 : Math.max(0, healthy - desired);
  return object({
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    disruptionsAllowed: allowed,
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: allowed > 0 ? 'True' : 'False',
        reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
      },
    ],
  });
}
