// A lab profile's demo checks through the real path: curl-equivalents of http://<host>/… from a pod of the lab.

import type { DemoCheck } from '../model/lab-profile.ts';
import type { ProbeResult } from '../model/outcome.ts';
import type { ProbePlan } from '../model/plan.ts';
import { agentIn } from './agents.ts';
import { agentSocket } from './state.ts';
import type { LabTopology } from './topology-types.ts';

/** The answer to one check: whether it worked (2xx), and its status and the start of the body. */
export interface CheckAnswer {
  readonly check: DemoCheck;
  readonly ok: boolean;
  readonly summary: string;
}

/**
 * Sends the checks in order from the first pod of `fromNamespace` to `host` (e.g. an Ingress host of
 * the lab), through the resident agent below `root`. A 2xx answer is "works"; anything else (a 5xx, no answer) is "an error".
 */
export async function runDemoChecks(
  topology: LabTopology,
  prober: readonly string[],
  checks: readonly DemoCheck[],
  fromNamespace: string,
  host: string,
  root: string,
): Promise<CheckAnswer[]> {
  const pod = topology.pods.find((p) => p.namespace === fromNamespace);
  if (!pod) throw new Error(`no lab pod in ${fromNamespace} to run the demo's checks from`);
  const plan: ProbePlan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'ProbePlan',
    source: fromNamespace,
    // One at a time and in order: a check may set up what the next one reads (/count/set, /count/get).
    defaults: { timeoutMs: 5000, attempts: 1, concurrency: 1 },
    probes: checks.map((c, i) => ({
      id: String(i),
      url: `http://${host}${c.path}`,
      expectStatus: ['2xx'],
      denyStatus: [],
    })),
  };
  const { results } = await agentIn({ netns: pod.netns, socket: agentSocket(root, topology, pod.netns), plan }, prober);
  return checks.map((check, i) => answerOf(check, results.get(String(i))));
}

function answerOf(check: DemoCheck, result: ProbeResult | undefined): CheckAnswer {
  if (!result) return { check, ok: false, summary: 'no answer (agent failed)' };
  const detail = (result.detail ?? '')
    .replace(/ \[[^\]]*\]$/, '')
    .replace(/ \(neither an expected nor a deny status\)$/, '');
  return { check, ok: result.observed === 'allow', summary: detail || `${result.observed} (${result.reason})` };
}
