// `prober probe URL…`: ad-hoc probes from here, printed as a one-row matrix.

import { type Command, Option } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { SCHEME_NAMES, schemeNames } from '../../model/schemes.ts';
import { parseTarget } from '../../model/target.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { addOutputOptions, addProbeOptions, runFlags } from '../options.ts';

/** Registers `probe`. */
export function registerProbe(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const command = addProbeOptions(
    addOutputOptions(
      program
        .command('probe')
        .summary('probe URLs from here and print a one-row matrix')
        .description(
          `Probes each URL once from where prober runs (${schemeNames(SCHEME_NAMES, '://').join(', ')}) and prints ` +
            'what happened. With --expect, every cell is judged and the exit code says whether all matched.',
        )
        .argument(
          '<url...>',
          'targets, e.g. tcp://10.0.0.5:5432 http://svc.ns/healthz redis://redis:6379 dns://kubernetes.default ' +
            "'dns://kubernetes.default?server=10.96.0.10&over=tcp'",
        )
        .addOption(
          new Option('--expect <verdict>', 'judge every cell against this verdict').choices(['allow', 'deny'] as const),
        )
        .addOption(
          new Option(
            '--liveness <mode>',
            'with --expect: auto (a deny counts only when the target is proven alive; from here only an answer such as an HTTP 403 proves it) or none (trust a deny as seen)',
          ).choices(['auto', 'none'] as const),
        ),
    ),
    { timeout: '2s', attempts: '1' },
  );
  command.addHelpText(
    'after',
    `
Examples:
  prober probe redis://redis-svc.d-redis.svc.cluster.local:6379
  prober probe --expect deny --liveness none --timeout 1s tcp://10.96.0.10:53
  prober probe -o json http://app-count-svc.c-app-count/healthz | jq '.cells[0].reason'

Exit codes: without --expect 0 when every probe was observed (allow or deny), 2 when any errored;
with --expect 0 all matched · 1 a mismatch · 2 could not decide. A deny from here alone (a timeout,
a refusal) proves no policy — the target may be down — so with --expect it is error/target-down (2)
unless --liveness none accepts it; an answered deny (HTTP 403, DNS REFUSED) proves itself.`,
  );
  command.action(async (urls, opts) => {
    const targets = urls.map((url, index) => {
      const parsed = parseTarget(url);
      if (!parsed.ok) throw new UsageError(`probe: argument ${index + 1}: ${parsed.error}`);
      return { name: parsed.value.url, address: parsed.value };
    });
    const { probeFromHere } = await import('../../orchestration/probe.ts');
    finish(
      await probeFromHere({ targets, expect: opts.expect, liveness: opts.liveness, flags: runFlags(opts, io) }, io),
    );
  });
}
