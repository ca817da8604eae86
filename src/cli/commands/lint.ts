// `prober lint`: findings about policies for CI (file:line, stable id, severity, fix), as a table, JSON or SARIF.

import { type Command, Option } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { LINT_FORMATS } from '../../report/lint.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { collect, namespaceFlag, stdinAtMostOnce } from '../options.ts';

/** Registers `lint`. */
export function registerLint(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const base = program
    .command('lint')
    .summary('find policies that select nothing, shadowed rules, blocked DNS, unreachable Services … (for CI)')
    .description(
      'Reads the same policies and workloads as `simulate` and reports what is probably not meant: each finding with ' +
        'file:line, a stable id (PL001…), a severity, a message and a one-line fix. Nothing is probed.\n\n' +
        'Checks: PL001 policy selects no pod · PL002 peer matches no namespace or pod · PL003 rule shadowed by an ' +
        'earlier or higher-priority rule, a Pass, or NetworkPolicy isolation (ANP/BANP) · PL004 named port no pod ' +
        'declares · PL005 ipBlock that also holds pod IPs · PL006 egress isolation without DNS (kube-system pods ' +
        'k8s-app=kube-dns, assumed when the manifests have none) · PL007 workload isolated both ways that nothing ' +
        'reaches · PL008 Service whose targetPort no policy opens.',
    )
    .option(
      '-f, --file <path>',
      'manifests: a file or directory of policies and workloads (repeatable; - reads them from stdin)',
      collect,
      [],
    )
    .addOption(new Option('-o, --output <format>', 'report format').choices(LINT_FORMATS).default('table'))
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this serious')
        .choices(['error', 'warning', 'info', 'never'] as const)
        .default('error' as const),
    )
    .option('--assume-mesh', 'treat every workload as having an Istio sidecar')
    .option('-n, --namespace <ns>', 'namespace of objects that name none', namespaceFlag('-n'), 'default');
  const command = addIgnoreKindOption(base);
  command.addHelpText(
    'after',
    `
Examples:
  prober lint -f policies/networkpolicy -f k8s
  prober lint -f policies -f k8s --fail-on warning
  prober lint -f policies -f k8s -o sarif > prober.sarif     # upload with github/codeql-action/upload-sarif
  kubectl get pods,svc,ns,netpol -A -o yaml > cluster.yaml && prober lint -f cluster.yaml -o json
  kubectl get pods,svc,ns,netpol -A -o yaml | prober lint -f -

Give the workloads (Deployments, Pods, Services, Namespaces) with the policies: most checks judge policies
against the pods they select. Pods with status.podIPs let PL005 see which ipBlocks hold pod IPs.

Exit codes: 0 no finding at or above --fail-on (default error) · 1 some finding is · 2 bad input.`,
  );
  command.action(async (opts) => {
    stdinAtMostOnce(opts.file);
    const { runLint } = await import('../../orchestration/lint.ts');
    finish(
      await runLint(
        {
          manifests: opts.file,
          output: opts.output,
          failOn: opts.failOn,
          assumeMesh: opts.assumeMesh === true,
          namespace: opts.namespace,
          ignoreKinds: await ignoreKindsFlag(opts.ignoreKind),
        },
        io,
      ),
    );
  });
}
