// `prober watch`: ReachabilityTests run every interval, as Prometheus metrics, a live page and log lines:
// against the lab (-f files), or in a cluster (--cluster: the controller of ReachabilityTest resources).

import { type Command, Option } from '@commander-js/extra-typings';
import { labNameProblem } from '../../lab/names.ts';
import { AGENT_TIMEOUT, type DurationRange } from '../../model/duration.ts';
import type { Io } from '../../model/io.ts';
import { quoteName } from '../../model/k8s-names.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { addProbeOptions, durationFlag, intFlag, namespaceFlag, rangeText, runFlags } from '../options.ts';
import { watchCluster } from './watch-cluster.ts';

/** How often a round of runs starts: a second (the lab's tests) to an hour. */
const WATCH_INTERVAL: DurationRange = { what: 'a watch interval', minMs: 1000, maxMs: 3_600_000 };

/** Loopback, on a port of its own (OpenTelemetry's Prometheus exporter's, not Prometheus's 9090). */
const DEFAULT_LISTEN = '127.0.0.1:9464';

function labName(value: string): string {
  const problem = labNameProblem(value);
  if (problem) throw new UsageError(`--lab: ${quoteName(value)} is not a lab name: ${problem}`);
  return value;
}

/** Registers `watch`. */
export function registerWatch(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const watch = addProbeOptions(
    program
      .command('watch')
      .summary("run ReachabilityTests every interval (lab, or a cluster's resources) and serve metrics")
      .description(
        'Runs every test (-f, repeatable) against a running lab, one after the other, every --interval; a ' +
          'round that takes longer than the interval is logged and counted, and the next starts when it ends ' +
          '(rounds never overlap). Each run reads its file and the lab again, so an applied policy or an edited ' +
          'test counts from the next round. GET /metrics serves Prometheus metrics (each cell: its result, ' +
          'observed verdict and flips; runs, durations, errors); GET / is a live page of each matrix (flips ' +
          "outlined, a cell's history on click) refreshing itself from GET /state.json; GET /healthz answers " +
          '200 while watching. With ' +
          '-v, one log line per run (verdict, counts, duration) and one per cell that flips. Runs until ' +
          'SIGINT or SIGTERM, which end the run in progress (its agents stop) and exit 0. ' +
          'With --cluster it is the in-cluster controller instead: it watches the ReachabilityTest resources ' +
          '(prober.dev) of every namespace or of -n, runs each on its prober.dev/interval annotation (else ' +
          "--interval) from its sources' pods through one resident agent per pod, and writes each " +
          "resource's status and an Event per cell that flips; the metrics label each test namespace/name.",
      )
      .option(
        '-f, --file <test.yaml>',
        'a ReachabilityTest to watch (repeatable; read again at every run)',
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .addOption(
        new Option('--lab <name>', 'the lab to watch (see prober lab up --name)')
          .default('prober-lab')
          .argParser(labName),
      )
      .addOption(
        new Option('--interval <duration>', `how often a round of runs starts (${rangeText(WATCH_INTERVAL)})`)
          .default(30_000, '30s')
          .argParser(durationFlag('--interval', WATCH_INTERVAL)),
      )
      .option(
        '--listen <host:port>',
        'where the page (/), /metrics and /healthz are served (port 0: any free port)',
        DEFAULT_LISTEN,
      )
      .option('--listen-non-local', 'allow --listen on an address other than loopback (the metrics tell what is open)')
      .option('--cluster', 'be the in-cluster controller of ReachabilityTest resources (no -f, --lab or --expect)')
      .option(
        '--kubeconfig <file>',
        'with --cluster: kubeconfig to use (default: in-cluster service account, else as kubectl)',
      )
      .option('--context <name>', 'with --cluster: kubeconfig context to use')
      .option(
        '-n, --namespace <ns>',
        'with --cluster: watch this namespace only (default: every namespace)',
        namespaceFlag('-n'),
      )
      .option('--image <ref>', "with --cluster: the agents' image (default: this pod's own prober image)")
      .addOption(
        new Option('--parallel <n>', 'with --cluster: sources probed at the same time, per test (1-256)')
          .argParser(intFlag('--parallel', 1, 256))
          .default(8),
      )
      .addOption(
        new Option(
          '--agent-timeout <duration>',
          `with --cluster: deadline for one agent, ${rangeText(AGENT_TIMEOUT)}`,
        ).argParser(durationFlag('--agent-timeout', AGENT_TIMEOUT)),
      )
      .option('--cluster-domain <domain>', 'with --cluster: cluster DNS domain of Service names', 'cluster.local')
      .addOption(
        new Option(
          '--expect <source>',
          'what to compare with: the written rules, the policy model of the applied policies, or both (as lab test)',
        ).choices(['written', 'policies', 'both'] as const),
      ),
  );
  watch
    .addHelpText(
      'after',
      `
Examples:
  sudo prober -v watch -f policies/expectations.yaml --interval 10s
  prober -v watch --cluster --listen 0.0.0.0:9464 --listen-non-local    # in its Deployment (k8s/prober/watch)
  prober watch --cluster --context kind-lab -n team                    # from a laptop, one namespace
  sudo prober -v --log-format json watch -f a.yaml -f b.yaml --listen 127.0.0.1:9464
  xdg-open http://127.0.0.1:9464/    # the live page
  curl -s 127.0.0.1:9464/metrics | grep '^prober_cell_result{.*result="mismatched"} 1'

With --cluster, a resource the watch cannot run (bad spec, checks, a bad interval) gets a Failed
status naming the field; the watch goes on with the others.

Exit codes: 0 stopped by SIGINT or SIGTERM · 2 bad input, a lab that is not up, or --listen that cannot bind`,
    )
    // The lab's agents run in its network namespaces: root, checked before any input is read.
    .hook('preAction', async (command) => {
      if (!command.opts().cluster) (await import('../../lab/preflight.ts')).requireRoot();
    })
    .action(async (opts, command) => {
      const [{ runWatch }, { parseListen }] = await Promise.all([
        import('../../orchestration/watch.ts'),
        import('../../orchestration/watch-server.ts'),
      ]);
      const flags = runFlags({ ...opts, output: 'json', color: false, table: 'auto' }, io);
      const listen = parseListen(opts.listen, opts.listenNonLocal === true);
      if (opts.cluster) return finish(await watchCluster(opts, command.getOptionValueSource('lab'), flags, listen, io));
      const lab = opts.file?.length ? undefined : 'needs -f (a test file to watch), or --cluster';
      const clusterOnly = ['kubeconfig', 'context', 'namespace', 'image', 'agentTimeout'].find(
        (o) => opts[o as keyof typeof opts] !== undefined,
      );
      if (lab) throw new UsageError(`prober watch: ${lab}`);
      if (clusterOnly) throw new UsageError(`prober watch: --${kebab(clusterOnly)} is for --cluster only`);
      finish(
        await runWatch(
          {
            lab: opts.lab,
            files: opts.file ?? [],
            intervalMs: opts.interval,
            listen,
            flags,
            expect: opts.expect,
          },
          io,
        ),
      );
    });
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
