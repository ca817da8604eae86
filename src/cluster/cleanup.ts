// Cleanup of what a run created: probe pods are deleted on every exit path, interrupted runs included.

import { KubeApiError } from './api-error.ts';
import { type KubeApi, RUN_ID_LABEL } from './kube-api.ts';

/**
 * Remembers the probe pods of one run so they are deleted however the run ends. Namespaces where a
 * create was attempted are swept by the run-id label too, because a create whose answer was lost
 * (timeout, dropped connection) may still have made a pod.
 */
export class ProbePodTracker {
  readonly #api: KubeApi;
  readonly #runId: string;
  readonly #pods = new Map<string, { namespace: string; name: string }>();
  readonly #namespaces = new Set<string>();

  constructor(api: KubeApi, runId: string) {
    this.#api = api;
    this.#runId = runId;
  }

  /** Call before creating a pod, so that a create that lands after an interrupt is still cleaned up. */
  willCreate(namespace: string, name: string): void {
    this.#namespaces.add(namespace);
    this.#pods.set(`${namespace}/${name}`, { namespace, name });
  }

  /** Forgets a pod whose create the API server refused (403, 409, 422 …): nothing was made, nothing may be deleted. */
  refused(namespace: string, name: string): void {
    this.#pods.delete(`${namespace}/${name}`);
  }

  /** Deletes one pod now (a finished agent); missing pods count as deleted. Returns an error message or undefined. */
  async delete(namespace: string, name: string): Promise<string | undefined> {
    try {
      await this.#api.deletePod(namespace, name);
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.code !== 404)
        return `could not delete probe pod ${namespace}/${name}: ${(error as Error).message}`;
    }
    this.#pods.delete(`${namespace}/${name}`);
    return undefined;
  }

  /** Deletes every remembered pod and sweeps the namespaces by label. Returns what could not be deleted. */
  async deleteAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const { namespace, name } of [...this.#pods.values()]) {
      const problem = await this.delete(namespace, name);
      if (problem) problems.push(problem);
    }
    for (const namespace of this.#namespaces) {
      try {
        for (const pod of await this.#api.listPods(namespace, `${RUN_ID_LABEL}=${this.#runId}`)) {
          // Already deleted and Terminating (its agent is being stopped): it goes by itself.
          if (pod.metadata?.deletionTimestamp) continue;
          const problem = await this.delete(namespace, pod.metadata?.name ?? '');
          if (problem) problems.push(problem);
        }
      } catch (error) {
        problems.push(
          `could not look for leftover probe pods in ${namespace} (label ${RUN_ID_LABEL}=${this.#runId}): ${(error as Error).message}`,
        );
      }
    }
    return problems;
  }
}
