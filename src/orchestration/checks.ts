// Runs a test's checks beyond the matrix in the order written, each by the runner of its kind, with
// the senders of the backend (from here for `prober check`, from the source pods for `lab test`); and
// refuses nothing: where checks cannot run yet, rate-checks.ts's refuseChecks says so.

import type { AffinitySender } from '../model/affinity-judgement.ts';
import { judgeAffinity } from '../model/affinity-judgement.ts';
import type { CheckKind } from '../model/checks.ts';
import type { CheckSender } from '../model/rate-plan.ts';
import type { CheckResult } from '../model/report.ts';
import type { CheckOf, ReachabilityTest } from '../model/test-spec.ts';
import { phaseByPhase, type RateCheckContext, runRateCheck, sendFromHere } from './rate-checks.ts';

/** How a backend sends each kind of check. */
export interface CheckSenders {
  /** Every phase of a rate-limit check: phase by phase (phaseByPhase), or one agent for all (a cluster's). */
  readonly rateLimit: CheckSender;
  readonly affinity: AffinitySender;
}

/** What every runner gets: the run's signal and progress, the senders, and the rate checks' state. */
type RunContext = RateCheckContext & { readonly senders: CheckSenders };

/** One runner per kind of check (model/checks.ts): sends it and judges it. */
const RUNNERS: {
  readonly [K in CheckKind]: (check: CheckOf<K>, ctx: RunContext) => Promise<Extract<CheckResult, { kind: K }>>;
} = {
  rateLimit: (check, ctx) => runRateCheck(check, ctx),
  affinity: async (check, ctx) => {
    ctx.progress(`check ${check.name}: ${check.requests} requests from each pod of ${check.from} to ${check.to}`);
    return judgeAffinity(check, await ctx.senders.affinity(check, ctx.signal));
  },
};

/** Runs the check with the runner of its kind. */
function runOne<K extends CheckKind>(check: CheckOf<K>, ctx: RunContext): Promise<CheckResult> {
  return (RUNNERS[check.kind as K] as (check: CheckOf<K>, ctx: RunContext) => Promise<CheckResult>)(check, ctx);
}

/**
 * `prober check`'s senders: rate phases from this process. `check` refuses a zone-affinity check at
 * load (orchestration/check.ts); were one to come here, it could not decide, for want of zones.
 */
const SENDERS_FROM_HERE: CheckSenders = {
  rateLimit: phaseByPhase(sendFromHere),
  affinity: async () => ({
    why: 'prober check sends from where it runs, which has no zone, and knows no zones of the endpoints: run it with prober lab test',
  }),
};

/**
 * Runs every check of the test in order and judges each; checks not reached before `signal` aborts
 * are judged on nothing (undecided). Never throws for what the targets do.
 */
export async function runChecks(
  test: ReachabilityTest,
  signal: AbortSignal,
  progress: (message: string) => void = () => {},
  senders: CheckSenders = SENDERS_FROM_HERE,
): Promise<CheckResult[]> {
  const ctx: RunContext = { signal, progress, send: senders.rateLimit, senders };
  const results: CheckResult[] = [];
  for (const check of test.checks ?? []) results.push(await runOne(check, ctx));
  return results;
}
