// `prober cleanup`: removes the probe pods runs left behind, and lists the ephemeral agents Kubernetes cannot remove.

import { type Command, Option } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { accessFlags, addAccessOptions } from '../access-options.ts';
import { namespaceFlag } from '../options.ts';

/** Parser of `--run-id`: a label value, as `prober.dev/run-id` holds it (what `prober run` prints). */
function runIdFlag(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value))
    throw new UsageError(
      `--run-id: "${value}" is not a run id (lower-case letters, digits and "-", as prober.dev/run-id holds it)`,
    );
  return value;
}

/** Parser of a repeated `-n`: each a namespace name. */
function namespacesFlag(value: string, previous: string[]): string[] {
  return [...previous, namespaceFlag('-n')(value)];
}

/** Registers `cleanup`. */
export function registerCleanup(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const base = program
    .command('cleanup')
    .summary('remove the probe pods runs left behind; list the ephemeral agents that cannot be removed')
    .description(
      'Deletes the probe pods of one run (--run-id) or of every run (--all), found by the ' +
        "prober.dev/run-id label, in the context's namespace, the namespaces given with -n, or all " +
        '(--all-namespaces). Ephemeral containers prober added to workload pods cannot be deleted ' +
        '(Kubernetes keeps them until the pod is replaced): they are listed per pod, with their state.',
    )
    .option(
      '--run-id <id>',
      'the run to clean up (its prober.dev/run-id label; its agents are named prober-ID-N)',
      runIdFlag,
    )
    .option('--all', 'clean up every run')
    .option(
      '-n, --namespace <ns>',
      "namespace to clean up, repeatable (default: the context's namespace)",
      namespacesFlag,
      [] as string[],
    )
    .option('-A, --all-namespaces', 'clean up every namespace (needs list pods cluster-wide)')
    .option('--dry-run', 'list what would be deleted; delete nothing')
    .addOption(
      new Option('-o, --output <format>', 'report format')
        .choices(['table', 'json'] as const)
        .default('table' as const),
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use');
  const command = addAccessOptions(base);
  command.addHelpText(
    'after',
    `
Examples:
  prober cleanup --run-id 3f9a1cm2k -n b-apacherr         # one run's probe pods in one namespace
  prober cleanup --all -A --dry-run                        # what every run left, everywhere; nothing deleted
  prober cleanup --all -n b-apacherr -n c-app-count -o json

Do not clean up --all while a run is in progress: its probe pods would be deleted under it.
RBAC: list pods in each namespace (cluster-wide with -A: ClusterRole prober-cleanup,
k8s/prober/cleanup/), delete pods where probe pods are (the probe-pod Role grants it).

Exit codes: 0 every probe pod found is deleted, already terminating or gone (with --dry-run: listed);
agents left in pods do not change it · 2 bad input, unreachable cluster, a namespace that could not be
listed, or a pod that could not be deleted.`,
  );
  command.action(async (opts) => {
    if ((opts.runId === undefined) === (opts.all !== true))
      throw new UsageError('cleanup: name one run with --run-id ID, or every run with --all');
    if (opts.allNamespaces && opts.namespace.length > 0)
      throw new UsageError('cleanup: use -n or --all-namespaces, not both');
    const { runCleanup } = await import('../../orchestration/cleanup.ts');
    finish(
      await runCleanup({
        ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.context !== undefined ? { context: opts.context } : {}),
        access: accessFlags(opts),
        runId: opts.runId,
        namespaces: opts.allNamespaces ? 'all' : opts.namespace,
        dryRun: opts.dryRun === true,
        output: opts.output,
        write: (text) => io.stdout.write(text),
        env: io.env,
        stdin: io.stdin,
      }),
    );
  });
}
