// Which PodDisruptionBudgets a probe pod leaves allowing no disruption while it exists. The probe pod's
// controller is its source pod (so that no workload controller adopts it), and the disruption controller
// must find a scale for every selected pod's controller when a budget says maxUnavailable or a percentage
// minAvailable (pkg/controller/disruption/disruption.go getExpectedScale, getScaleController): a Pod has
// no scale subresource, the sync fails, and failSafe sets disruptionsAllowed to 0 until the pod is gone.
// An integer minAvailable counts pods without asking for controllers, and is not affected.

import type { V1LabelSelector, V1PodDisruptionBudget } from '@kubernetes/client-node';

/** metav1.LabelSelectorAsSelector: an empty selector selects every pod, a missing one none. */
function selects(selector: V1LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(value as string);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(value as string);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** The budget's rule as written: `maxUnavailable: 1`, `minAvailable: 50%`. */
function rule(pdb: V1PodDisruptionBudget): string | undefined {
  const { maxUnavailable, minAvailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) return `maxUnavailable: ${maxUnavailable}`;
  if (typeof minAvailable === 'string') return `minAvailable: ${minAvailable}`;
  return undefined;
}

/**
 * One warning per budget in `pdbs` that selects a pod with `labels` and that the probe pod would leave
 * allowing no disruption for up to `seconds`; none for a budget with an integer minAvailable.
 */
export function blockedBudgets(
  pdbs: readonly V1PodDisruptionBudget[],
  labels: Readonly<Record<string, string>>,
  seconds: number,
): string[] {
  return pdbs.flatMap((pdb) => {
    const said = rule(pdb);
    if (!said || !selects(pdb.spec?.selector, labels)) return [];
    const name = `${pdb.metadata?.namespace ?? ''}/${pdb.metadata?.name ?? ''}`;
    return [
      `PodDisruptionBudget ${name} (${said}) selects the probe pod: while it exists (at most ${seconds}s) the disruption controller finds no scale for its controller (a Pod has no scale subresource) and allows no disruption under ${name}, so evictions and node drains there wait; a budget with an integer minAvailable is not affected, nor --agent=ephemeral`,
    ];
  });
}
