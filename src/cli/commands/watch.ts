// `prober watch`: ReachabilityTests run against the lab every interval, as Prometheus metrics and log lines.

import { type Command, Option } from '@commander-js/extra-typings';
import { labNameProblem } from '../../lab/names.ts';
import type { DurationRange } from '../../model/duration.ts';
import type { Io } from '../../model/io.ts';
import { quoteName } from '../../model/k8s-names.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { addProbeOptions, durationFlag, rangeText, runFlags } from '../options.ts';

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
      .summary('run ReachabilityTests against the lab every interval and serve the results as metrics')
      .description(
        'Runs every test (-f, repeatable) against a running lab, one after the other, every --interval; a ' +
          'round that takes longer than the interval is logged and counted, and the next starts when it ends ' +
          '(rounds never overlap). Each run reads its file and the lab again, so an applied policy or an edited ' +
          'test counts from the next round. GET /metrics serves Prometheus metrics (each cell: its result, ' +
          'observed verdict and flips; runs, durations, errors); GET / is a live page of each matrix (flips ' +
          "outlined, a cell's history on click) refreshing itself from GET /state.json; GET /healthz answers " +
          '200 while watching. With ' +
          '-v, one log line per run (verdict, counts, duration) and one per cell that flips. Runs until ' +
          'SIGINT or SIGTERM, which end the run in progress (its agents stop) and exit 0.',
      )
      .requiredOption(
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
  sudo prober -v --log-format json watch -f a.yaml -f b.yaml --listen 127.0.0.1:9464
  xdg-open http://127.0.0.1:9464/    # the live page
  curl -s 127.0.0.1:9464/metrics | grep '^prober_cell_result{.*result="mismatched"} 1'

Exit codes: 0 stopped by SIGINT or SIGTERM · 2 bad input, a lab that is not up, or --listen that cannot bind`,
    )
    // The lab's agents run in its network namespaces: root, checked before any input is read.
    .hook('preAction', async () => (await import('../../lab/preflight.ts')).requireRoot())
    .action(async (opts) => {
      const [{ runWatch }, { parseListen }] = await Promise.all([
        import('../../orchestration/watch.ts'),
        import('../../orchestration/watch-server.ts'),
      ]);
      const flags = runFlags({ ...opts, output: 'json', color: false, table: 'auto' }, io);
      finish(
        await runWatch(
          {
            lab: opts.lab,
            files: opts.file,
            intervalMs: opts.interval,
            listen: parseListen(opts.listen, opts.listenNonLocal === true),
            flags,
            expect: opts.expect,
          },
          io,
        ),
      );
    });
}
