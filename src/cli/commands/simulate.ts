// `prober simulate`: the expected matrix from policy YAML and workload manifests, with explanations.

import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import type { SimulateMode } from '../../orchestration/simulate.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import type { Protocol } from '../../policy/index.ts';
import type { OutputFormat } from '../../report/formats.ts';
import { accessFlags, addAccessOptions } from '../access-options.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { addOutputOptions, collect, namespaceFlag, runFlags, stdinAtMostOnce } from '../options.ts';

/** The formats --diff and --explain print (they show no matrix to draw). */
const TEXT_OUTPUTS: ReadonlySet<OutputFormat> = new Set(['table', 'markdown', 'json']);

/** Parses `6379`, `6379/TCP` or `53/udp` (protocol defaults to TCP). */
function parsePortArg(text: string, flag: string): { port: number; protocol: Protocol } {
  const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  const port = match ? Number(match[1]) : NaN;
  if (!match || port < 1 || port > 65535)
    throw new UsageError(`${flag}: "${text}" is not a port (write e.g. 6379, 6379/TCP or 53/UDP)`);
  return { port, protocol: (match[2]?.toUpperCase() ?? 'TCP') as Protocol };
}

/** Registers `simulate`. */
export function registerSimulate(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const base = program
    .command('simulate')
    .summary('compute the expected matrix from policies and manifests, or from a cluster (nothing probed)')
    .description(
      'Reads NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, Cilium and Istio policies plus the workloads they apply to ' +
        '(Deployments, StatefulSets, DaemonSets, Pods, Namespaces, Services) from files or, read-only, from a ' +
        'cluster, and prints what each workload may reach on each port it serves, why, or how two policy sets ' +
        'differ. Nothing is probed.',
    )
    .option(
      '-f, --file <path>',
      'manifests: a file or directory of policies and workloads (repeatable; - reads them from stdin)',
      collect,
      [],
    )
    .option(
      '--test <file>',
      'judge a ReachabilityTest against the policies (its fromPolicies paths unless -f is given; - reads it from stdin)',
    )
    .option('--port <port>', 'matrix on this port for every workload, e.g. 6379 or 53/UDP (repeatable)', collect, [])
    .option(
      '--explain <from-to-port...>',
      'explain one cell: FROM TO PORT (workload ns/name or IP; TO may be a Service)',
    )
    .option('--diff <old-new...>', 'list the cells whose verdict changes from the policies in OLD to those in NEW')
    .option('--assume-mesh', 'treat every workload as having an Istio sidecar')
    .option('-n, --namespace <ns>', 'namespace of objects that name none', namespaceFlag('-n'), 'default')
    .option('--cluster', "read namespaces, pods, Services and policies from the kubeconfig's cluster (read-only)")
    .option(
      '--kubeconfig <file>',
      'kubeconfig to read the cluster with (implies --cluster; default: $KUBECONFIG, ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to read (implies --cluster)');
  const command = addIgnoreKindOption(addOutputOptions(addAccessOptions(base)));
  command.addHelpText(
    'after',
    `
Examples:
  prober simulate -f policies/networkpolicy -f k8s
  prober simulate -f policies/networkpolicy -f k8s --port 6379
  prober simulate -f policies/networkpolicy -f k8s --table compact
  prober simulate -f policies/networkpolicy -f k8s -o html > matrix.html
  prober simulate -f policies/networkpolicy -f k8s --explain b-apacherr/apacherr redis-svc.d-redis 6379
  prober simulate -f k8s --diff policies/networkpolicy policies/cilium
  prober simulate --test policies/expectations.yaml -f policies/istio -f k8s --assume-mesh
  kubectl get pods -A -o yaml > pods.yaml && prober simulate -f policies -f pods.yaml --ignore-kind GlobalNetworkPolicy.crd.projectcalico.org
  prober simulate --cluster                                   # the current context: topology and policies
  prober simulate --context kind-lab --explain b-apacherr/apacherr-5d8f7 redis-svc.d-redis 6379
  prober simulate --context kind-lab -f policies/networkpolicy   # these policies on the live topology
  prober simulate --context prod --diff policies/old policies/new -o json

From a cluster (--cluster, --kubeconfig or --context; kubectl's rules find the kubeconfig), prober lists
namespaces, pods (with their IPs) and Services, and every object of every policy kind the cluster
serves, read-only (RBAC: k8s/prober/simulate/prober-simulate.yaml). A policy kind prober does not
evaluate that has objects there is an error unless --ignore-kind names it. With -f as well, the files
give the policies instead of the cluster's (workload manifests are refused): a check before applying.

Pods given with status.podIPs (a kubectl dump) let ipBlock rules match them; where a verdict depends
on an IP the manifests do not give, the cell is an error ("undecidable"), never a guessed deny.

Exit codes: matrix 0, 2 when a cell is undecidable · --explain 0 · --test 0 all cells as expected, 1 a mismatch, 2 undecidable cells ·
--diff 0 no change, 1 some cells change · 2 bad input.`,
  );
  command.action(async (opts) => {
    stdinAtMostOnce([...opts.file, opts.test]);
    const mode = simulateMode(opts);
    const live = opts.cluster || opts.kubeconfig !== undefined || opts.context !== undefined;
    const access = accessFlags(opts);
    if (!live && Object.keys(access).length > 0)
      throw new UsageError('--as, --as-group and --request-timeout apply to a cluster read: add --cluster');
    const { runSimulate } = await import('../../orchestration/simulate.ts');
    finish(
      await runSimulate(
        {
          mode,
          manifests: opts.file,
          flags: runFlags(opts, io),
          assumeMesh: opts.assumeMesh === true,
          namespace: opts.namespace,
          ignoreKinds: await ignoreKindsFlag(opts.ignoreKind),
          ...(live
            ? {
                cluster: {
                  ...access,
                  ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
                  ...(opts.context !== undefined ? { context: opts.context } : {}),
                },
              }
            : {}),
        },
        io,
      ),
    );
  });
}

/** The one mode the flags ask for, with its values checked before any file is read. */
function simulateMode(opts: {
  readonly explain?: string[] | undefined;
  readonly diff?: string[] | undefined;
  readonly test?: string | undefined;
  readonly port: string[];
  readonly output: OutputFormat;
}): SimulateMode {
  const { explain, diff, test } = opts;
  const modes = [explain, diff, test].filter((m) => m !== undefined).length;
  if (modes > 1) throw new UsageError('simulate: use one of --explain, --diff and --test at a time');
  if (diff) {
    if (diff.length !== 2) throw new UsageError('--diff takes two policy sets: --diff OLD NEW');
    if (!TEXT_OUTPUTS.has(opts.output)) throw new UsageError('--diff prints table, markdown or json');
    return { kind: 'diff', old: diff[0]!, new: diff[1]! };
  }
  if (explain) {
    if (explain.length !== 3) throw new UsageError('--explain takes three values: --explain FROM TO PORT');
    if (!TEXT_OUTPUTS.has(opts.output)) throw new UsageError('--explain prints table, markdown or json');
    return { kind: 'explain', from: explain[0]!, to: explain[1]!, port: parsePortArg(explain[2]!, '--explain PORT') };
  }
  if (test) return { kind: 'test', file: test };
  return { kind: 'matrix', ports: opts.port.map((p) => parsePortArg(p, '--port')) };
}
