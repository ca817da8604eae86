// `lab stop`: pods whose programs are stopped, as pods that crashed or drained. Their endpoints turn
// not ready, and every other pod's Service DNAT is rebuilt as its node's kube-proxy would rebuild it.

import { reloadServiceNat } from './netns.ts';
import { requireState } from './policies.ts';
import { processInfo, stopProcesses } from './processes.ts';
import { type LabState, writeState } from './state.ts';

/**
 * Stops the programs of the named pods (`namespace/name`; their resident agents stay, so they can
 * still be probed from), records them as stopped and reloads the Service DNAT of the pods still
 * running: traffic that preferred their node or zone falls back as kube-proxy's would. An unknown
 * pod name is refused before anything stops.
 */
export async function labStopPods(lab: string, root: string, names: readonly string[]): Promise<LabState> {
  const state = await requireState(lab, root);
  const pods = names.map((name) => {
    const pod = state.topology.pods.find((p) => `${p.namespace}/${p.name}` === name);
    if (!pod)
      throw new Error(
        `lab "${lab}" has no pod ${JSON.stringify(name)} (give namespace/name, as \`prober lab status\` lists them)`,
      );
    return pod;
  });
  const netns = new Set(pods.map((p) => p.netns));
  const stopping = state.programs.filter((p) => netns.has(p.netns) && p.kind !== 'agent');
  await stopProcesses(
    stopping.flatMap((p) => {
      const info = processInfo(p.pid);
      // Only a process that is still the one the lab started (same start time) is signalled.
      return info && p.startTime !== undefined && info.startTime === p.startTime
        ? [{ pid: p.pid, startTime: p.startTime }]
        : [];
    }),
  );
  const stopped = new Set([...(state.stopped ?? []), ...names]);
  const next: LabState = {
    ...state,
    programs: state.programs.filter((p) => !stopping.includes(p)),
    stopped: [...stopped],
  };
  await writeState(root, next);
  await reloadServiceNat(state.topology, stopped);
  return next;
}
