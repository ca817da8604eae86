// How one source's agent runs — inside its pod or in a probe pod beside it — from the mode asked for, the
// pod's memory room (agent-memory.ts) and whether the agent image can run on the pod's node
// (agent-platform.ts); or why it cannot run at all.

import type { V1Pod } from '@kubernetes/client-node';
import { ephemeralFits } from './agent-memory.ts';
import { nodePlatform, platformMismatch, platformSelector } from './agent-platform.ts';
import type { AgentMode } from './agents.ts';
import type { KubeApi } from './kube-api.ts';

/** The choice: where, why, and for a probe pod the nodeSelector its image needs; or an error for the source. */
export type AgentChoice =
  | {
      readonly agent: 'ephemeral' | 'pod';
      readonly agentReason: string;
      readonly nodeSelector?: Readonly<Record<string, string>>;
    }
  | { readonly error: string };

/** What the choice depends on. */
export interface ChoiceInput {
  readonly api: KubeApi;
  readonly mode: AgentMode;
  readonly source: string;
  readonly pod: V1Pod;
  /** How many probes the agent runs (its memory need grows with them; a check's agent: its connections). */
  readonly probes: number;
  /** The platforms (`os/arch`) the agent image runs on; undefined when unknown (an image given with --image). */
  readonly platforms?: readonly string[];
  readonly warn?: (message: string) => void;
}

/**
 * `--agent=pod` and `--agent=ephemeral` say where (the latter warns when the pod's memory limit has no
 * room for the agent, which then shares it with the workload); `auto` runs it inside only where it fits
 * and the image runs on the pod's node, else in a probe pod, and says why. A probe pod keeps to nodes its
 * image runs on; a pod on a node the image cannot run on is refused for an ephemeral agent, and so is a
 * hostNetwork one for a probe pod (its clone must share that node's network).
 */
export async function chooseAgent(input: ChoiceInput): Promise<AgentChoice> {
  const { mode, pod, probes, platforms } = input;
  const where = `pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const mismatch =
    platforms && mode !== 'pod' ? platformMismatch(await nodePlatform(input.api, pod), platforms) : undefined;
  const mismatchForPod =
    platforms && mode === 'pod' && pod.spec?.hostNetwork
      ? platformMismatch(await nodePlatform(input.api, pod), platforms)
      : undefined;
  const elsewhere = platforms ? { nodeSelector: platformSelector(platforms) } : {};
  const pinned = pod.spec?.hostNetwork ? {} : elsewhere;
  if ((mismatch || mismatchForPod) && pod.spec?.hostNetwork)
    return {
      error: `${where} runs on ${mismatch ?? mismatchForPod}; it uses the host network, so its agent must run on that node: pass --image with a prober image built for that node, or leave this source out`,
    };
  if (mode === 'pod') return { agent: 'pod', agentReason: '--agent=pod', ...pinned };
  if (mismatch && (mode === 'ephemeral' || mode === 'resident'))
    return {
      error: `${where} runs on ${mismatch}: run with --agent=pod (a probe pod on a ${platforms?.[0]} node) or --agent=auto, or pass --image with a multi-arch prober image`,
    };
  if (mismatch) return { agent: 'pod', agentReason: `${where} runs on ${mismatch}: a probe pod instead`, ...elsewhere };
  const fit = ephemeralFits(pod, probes);
  if (mode === 'ephemeral' || mode === 'resident') {
    if (!fit.fits)
      input.warn?.(
        `${input.source}: --agent=${mode}, though ${fit.reason}: the agent may get the workload's own process OOM-killed`,
      );
    return { agent: 'ephemeral', agentReason: `--agent=${mode}; ${fit.reason}` };
  }
  return fit.fits
    ? { agent: 'ephemeral', agentReason: fit.reason }
    : { agent: 'pod', agentReason: `${fit.reason}: a probe pod instead`, ...pinned };
}
