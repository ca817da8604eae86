// Waiting for an agent container to finish: poll the pod with backoff, fail fast on states that never recover.

import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../model/wait.ts';
import { KubeApiError } from './api-error.ts';
import type { KubeApi } from './kube-api.ts';

/** How the wait ended: the container terminated (look at its log), or it never will (with why). */
export type ContainerOutcome =
  | { readonly kind: 'terminated'; readonly exitCode: number; readonly reason: string; readonly message: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** Waiting reasons the kubelet will not get out of by itself within a run. */
const HOPELESS_WAITING = new Set([
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** What to wait for. */
export interface WaitInput {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Look in `ephemeralContainerStatuses` rather than `containerStatuses`. */
  readonly ephemeral: boolean;
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** Hears each new state, e.g. "waiting: ContainerCreating". */
  readonly onState?: (state: string) => void;
}

function statusOf(pod: V1Pod, input: WaitInput): V1ContainerStatus | undefined {
  const list = input.ephemeral ? pod.status?.ephemeralContainerStatuses : pod.status?.containerStatuses;
  return list?.find((s) => s.name === input.container);
}

function describe(status: V1ContainerStatus | undefined, pod: V1Pod): string {
  const state = status?.state;
  if (state?.waiting)
    return `waiting: ${state.waiting.reason ?? 'unknown'}${state.waiting.message ? ` (${state.waiting.message})` : ''}`;
  if (state?.running) return 'running';
  if (state?.terminated) return `terminated: ${state.terminated.reason ?? 'exit'} ${state.terminated.exitCode}`;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `not scheduled: ${scheduled.reason ?? ''} ${scheduled.message ?? ''}`.trim();
  return `pod ${pod.status?.phase ?? 'Unknown'}, no container status yet`;
}

/** 200 ms, growing to 1 s: quick for an agent that is done at once, light on the API server for a long one. */
const POLL = { initialMs: 200, factor: 1.5, maxMs: 1000 };

/**
 * Polls the pod until the container terminates, fails hopelessly, the pod goes away, the deadline
 * passes, or `signal` aborts. Polling (200 ms, growing to 1 s) keeps the RBAC to `get pods`; a watch
 * would need `watch` as well. Transient API errors are retried by the KubeApi itself.
 */
export async function waitForContainer(api: KubeApi, input: WaitInput): Promise<ContainerOutcome> {
  let last = 'not started';
  const waited = await waitFor(
    async (): Promise<ContainerOutcome | undefined> => {
      let pod: V1Pod;
      try {
        pod = await api.readPod(input.namespace, input.pod);
      } catch (error) {
        if (error instanceof KubeApiError && error.code === 404)
          return { kind: 'failed', reason: `pod ${input.pod} disappeared while the agent was ${last}` };
        throw error;
      }
      const status = statusOf(pod, input);
      const state = describe(status, pod);
      if (state !== last) input.onState?.(state);
      last = state;
      return settled(pod, status, input, last);
    },
    { deadlineMs: input.deadline - Date.now(), intervalMs: POLL, signal: input.signal },
  );
  if (waited.ok) return waited.value;
  return waited.reason === 'aborted'
    ? { kind: 'failed', reason: `interrupted while the agent was ${last}` }
    : { kind: 'failed', reason: `the agent did not finish in time (--agent-timeout); last state: ${last}` };
}

/** How the container ended, or that it never will; undefined while it may still finish. */
function settled(
  pod: V1Pod,
  status: V1ContainerStatus | undefined,
  input: WaitInput,
  last: string,
): ContainerOutcome | undefined {
  const terminated = status?.state?.terminated;
  if (terminated) {
    return {
      kind: 'terminated',
      exitCode: terminated.exitCode,
      reason: terminated.reason ?? '',
      message: terminated.message ?? '',
    };
  }
  const waiting = status?.state?.waiting;
  if (waiting?.reason && HOPELESS_WAITING.has(waiting.reason)) {
    const pull = waiting.reason.includes('Image')
      ? 'the agent image could not be pulled'
      : 'the agent container could not start';
    return { kind: 'failed', reason: `${pull} (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})` };
  }
  if (pod.metadata?.deletionTimestamp)
    return { kind: 'failed', reason: `pod ${input.pod} is being deleted while the agent was ${last}` };
  if (pod.status?.phase === 'Failed' && !status)
    return {
      kind: 'failed',
      reason: `pod ${input.pod} failed: ${pod.status.reason ?? ''} ${pod.status.message ?? ''}`.trim(),
    };
  return undefined;
}
