// `prober agent`: run a probe plan where the agent was started and print one JSON line per result.

import { type Command, Option } from '@commander-js/extra-typings';
import { CLIENT_TIMEOUT } from '../../model/duration.ts';
import type { Io } from '../../model/io.ts';
import { MAX_PLAN_BYTES } from '../../model/plan.ts';
import type { ExitCode } from '../../model/report.ts';
import { durationFlag, rangeText } from '../options.ts';

/** Registers `agent`. */
export function registerAgent(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  program
    .command('agent')
    .summary('run a probe plan here and print results as JSON lines (runs inside source pods)')
    .description(
      'Reads a ProbePlan (JSON) and probes every target from where it runs, printing one ' +
        '{"kind":"ProbeResult",…} line per probe as it completes and a final {"kind":"AgentDone",…} line. ' +
        'Orchestrators (`prober run`, `prober lab test`) start it inside the source workload.',
    )
    .option(
      '--plan <file>',
      'plan file, or - for stdin (default: $PROBER_PLAN_GZ (gzip + base64), else $PROBER_PLAN (JSON), else stdin)',
    )
    .option(
      '--resident',
      'stay up doing nothing (no socket, no network) until SIGTERM: the resident agent container a cluster run execs its plans into',
    )
    .option(
      '--plan-line',
      'read the plan as one JSON line on stdin (what a run sends over pods/exec), and stop the probes if stdin closes after it',
    )
    .option(
      '--listen <socket>',
      'stay resident: serve plans on this Unix socket (one JSON line in, result lines out) until SIGTERM',
    )
    .option(
      '--rate <file>',
      'instead of a probe plan: send one phase of a rate-limit check (a RatePlan file, or - for stdin) and print its measurement',
    )
    .option(
      '--affinity <file>',
      'instead of a probe plan: send the requests of a zone-affinity check (an AffinityPlan file, or - for stdin) and print who answered',
    )
    .addOption(
      new Option(
        '--client-timeout <duration>',
        `with --listen: how long a client may take to send its plan line (${rangeText(CLIENT_TIMEOUT)})`,
      )
        .argParser(durationFlag('--client-timeout', CLIENT_TIMEOUT))
        .default(10_000, '10s'),
    )
    .addHelpText(
      'after',
      `
Example:
  echo '{"apiVersion":"prober/v1alpha1","kind":"ProbePlan","source":"here",
        "defaults":{"timeoutMs":1000,"attempts":1,"concurrency":16},
        "probes":[{"id":"dns","url":"dns://localhost"}]}' | prober agent

With --listen the agent stays up (the local lab keeps one in every pod) and answers each
connection's plan the same way. The socket is created private to its owner (mode 0600); a plan
line longer than ${MAX_PLAN_BYTES / (1024 * 1024)} MiB, or none within --client-timeout, ends that client with an AgentError line.
--listen replaces only a stale socket, never a file, link or directory in its place.

A plan with "proxyReady" (what \`prober run --agent=pod\` writes for a pod with a classic mesh
sidecar) first polls that proxy's readiness URL on the pod's loopback; a proxy not ready by its
deadline gives one AgentError line and no probes, since each would fail as a false deny.

With --resident the agent only waits: \`prober run --agent=resident\` keeps one such container in
each source pod and, for every run, execs \`prober agent --plan-line\` in it through the API server
(pods/exec), the plan one line on stdin. Stdin must stay open until AgentDone: its end means the
orchestrator gave up, and the probes not done are reported as interrupted at once.

With --rate the agent sends one phase of a rate-limit check from where it runs (\`prober lab test\`
starts it in the check's source pod): a RatePlan such as
  {"apiVersion":"prober/v1alpha1","kind":"RatePlan","url":"http://web/","offeredPerSecond":20,
   "durationMs":5000,"timeoutMs":1000,"maxInFlight":256}
and prints one {"kind":"RateMeasurement",…} line once every request was answered or timed out.
A plan of kind RateCheckPlan (what \`prober run\` puts in a check's agent: "phases", "pauseMs")
sends every phase of a check, pauseMs apart, one RateMeasurement line per phase, then AgentDone.

With --affinity the agent sends the requests of a zone-affinity check from where it runs, each on a
new connection (\`prober lab test\` starts one in each source pod): an AffinityPlan such as
  {"apiVersion":"prober/v1alpha1","kind":"AffinityPlan","url":"http://paperino/","requests":100,
   "timeoutMs":2000,"concurrency":32,"identity":{"header":"x-pod-name"}}
and prints one {"kind":"AffinityMeasurement",…} line: the identities met and, per answer in
arrival order, which of them answered. An AffinityPlan in the environment (what \`prober run\` puts in
each source pod: "source" and "check" added) does the same, then prints AgentDone.

SIGINT/SIGTERM stop the probes in flight at once: each probe not done is reported as
error/interrupted, then AgentDone.

Exit codes: 0 the plan ran (whatever the outcomes), or the resident agent was stopped ·
2 the plan is invalid, the proxy never got ready, or the run was interrupted.`,
    )
    .action(async (opts) => {
      const { runAgent } = await import('../../orchestration/agent.ts');
      finish(
        await runAgent(
          {
            ...(opts.plan !== undefined ? { plan: opts.plan } : {}),
            ...(opts.listen !== undefined ? { listen: opts.listen } : {}),
            ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
            ...(opts.resident ? { resident: true } : {}),
            ...(opts.planLine ? { planLine: true } : {}),
            ...(opts.affinity !== undefined ? { affinity: opts.affinity } : {}),
            clientTimeoutMs: opts.clientTimeout,
          },
          io,
        ),
      );
    });
}
