// The seed's own checks through the real path: curl-equivalents of http://pippo.lan/… from the ingress pod.

import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import { agentIn } from './agents.ts';
import { agentSocket } from './state.ts';
import type { LabTopology } from './topology-types.ts';

/** One request of the seed's walkthrough and what the seed says it shows. */
export interface SeedRequest {
  readonly path: string;
  readonly label: string;
}

/** `/count/set` initialises the time, case 1 reads it through the app, case 2 reads it from Redis directly. */
export const SEED_REQUESTS: readonly SeedRequest[] = [
  { path: '/count/set', label: 'initialise the time' },
  { path: '/count/get', label: 'case 1: apache → app → redis' },
  { path: '/redis/GET/time', label: 'case 2: apache → redis' },
];

/** The answer to one request: status and the start of the body. */
export interface SeedAnswer {
  readonly request: SeedRequest;
  readonly ok: boolean;
  readonly summary: string;
}

/**
 * Sends the seed's requests in order from the first pod of `fromNamespace` to `host` (an Ingress
 * host of the lab). A 2xx answer is "works"; anything else (a 5xx, no answer) is "an error".
 */
export async function seedChecks(
  topology: LabTopology,
  prober: readonly string[],
  fromNamespace: string,
  host: string,
): Promise<SeedAnswer[]> {
  const pod = topology.pods.find((p) => p.namespace === fromNamespace);
  if (!pod) throw new Error(`no lab pod in ${fromNamespace} to run the seed's checks from`);
  const plan: ProbePlan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: fromNamespace,
    // One at a time and in order: /count/set must land before /count/get reads it.
    defaults: { timeoutMs: 5000, attempts: 1, concurrency: 1 },
    probes: SEED_REQUESTS.map((r, i) => ({
      id: String(i),
      url: `http://${host}${r.path}`,
      expectStatus: ['2xx'],
      denyStatus: [],
    })),
  };
  const { results } = await agentIn({ netns: pod.netns, socket: agentSocket(topology, pod.netns), plan }, prober);
  return SEED_REQUESTS.map((request, i) => answerOf(request, results.get(String(i))));
}

function answerOf(request: SeedRequest, result: ProbeResult | undefined): SeedAnswer {
  if (!result) return { request, ok: false, summary: 'no answer (agent failed)' };
  const detail = (result.detail ?? '')
    .replace(/ \[[^\]]*\]$/, '')
    .replace(/ \(neither an expected nor a deny status\)$/, '');
  return { request, ok: result.observed === 'allow', summary: detail || `${result.observed} (${result.reason})` };
}
