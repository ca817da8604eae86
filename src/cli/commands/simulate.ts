// `prober simulate`: the expected matrix from policy YAML and workload manifests, with explanations.

import type { Command } from 'commander';
import { adHocExitCode, type ExitCode } from '../../model/report.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { addOutputOptions, runFlags } from '../options.ts';
import { UsageError } from '../usage-error.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `simulate`. */
export function registerSimulate(program: Command, finish: (code: ExitCode) => void): void {
  const command = program
    .command('simulate')
    .summary('compute the expected matrix from policies and manifests (no cluster needed)')
    .description(
      'Reads NetworkPolicy, AdminNetworkPolicy, Cilium and Istio policies plus the workloads they apply to ' +
        '(Deployments, StatefulSets, DaemonSets, Pods, Namespaces, Services) and prints what each workload ' +
        'may reach on each port it serves, why, or how two policy sets differ. Nothing is probed.',
    )
    .option('-f, --file <path>', 'manifests: a file or directory of policies and workloads (repeatable)', collect, [])
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
    .option('-n, --namespace <ns>', 'namespace of objects that name none', 'default');
  addIgnoreKindOption(addOutputOptions(command));
  command.addHelpText(
    'after',
    `
Examples:
  prober simulate -f policies/networkpolicy -f k8s
  prober simulate -f policies/networkpolicy -f k8s --port 6379
  prober simulate -f policies/networkpolicy -f k8s --explain b-apacherr/apacherr redis-svc.d-redis 6379
  prober simulate -f k8s --diff policies/networkpolicy policies/cilium
  prober simulate --test policies/expectations.yaml -f policies/istio -f k8s --assume-mesh
  kubectl get pods -A -o yaml > pods.yaml && prober simulate -f policies -f pods.yaml --ignore-kind GlobalNetworkPolicy.crd.projectcalico.org

Pods given with status.podIPs (a kubectl dump) let ipBlock rules match them; where a verdict depends
on an IP the manifests do not give, the cell is an error ("undecidable"), never a guessed deny.

Exit codes: matrix 0, 2 when a cell is undecidable · --explain 0 · --test 0 all cells as expected, 1 a mismatch, 2 undecidable cells ·
--diff 0 no change, 1 some cells change · 2 bad input.`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    const [
      { loadPolicyModel },
      views,
      { workloadMatrix },
      args,
      { SimulatedBackend },
      { predictTest },
      { observeAndReport },
      { loadReachabilityTest },
    ] = await Promise.all([
      import('../policy-model.ts'),
      import('../simulate-views.ts'),
      import('../simulate-matrix.ts'),
      import('../simulate-args.ts'),
      import('../../policy/simulated-backend.ts'),
      import('../../policy/predict.ts'),
      import('../observe-and-report.ts'),
      import('../../config/load-test.ts'),
    ]);
    const flags = runFlags(opts);
    const explain = opts.explain as string[] | undefined;
    const diff = opts.diff as string[] | undefined;
    const testFile = opts.test as string | undefined;
    const modes = [explain, diff, testFile].filter((m) => m !== undefined).length;
    if (modes > 1) throw new UsageError('simulate: use one of --explain, --diff and --test at a time');
    const test = testFile ? await loadReachabilityTest(testFile) : undefined;
    const paths = opts.file as string[];
    const fromTest = test?.fromPolicies ? [...test.fromPolicies.policies, ...test.fromPolicies.workloads] : [];
    const manifests = paths.length > 0 ? paths : fromTest;
    if (manifests.length === 0) throw new UsageError('simulate: name the manifests with -f (policies and workloads)');
    const modelOptions = {
      assumeMesh: opts.assumeMesh === true,
      defaultNamespace: String(opts.namespace),
      ignoreKinds: ignoreKindsFlag(opts),
    };

    if (diff) {
      if (diff.length !== 2) throw new UsageError('--diff takes two policy sets: --diff OLD NEW');
      if (flags.output === 'junit') throw new UsageError('--diff prints table, markdown or json');
      const [{ diffModels, diffChunks }, { writeChunks }] = await Promise.all([
        import('../simulate-diff.ts'),
        import('../../report/write.ts'),
      ]);
      const [before, after] = await Promise.all(diff.map((set) => loadPolicyModel([...manifests, set], modelOptions)));
      const changed = await writeChunks(
        diffChunks(diffModels(before!, after!), diff[0]!, diff[1]!, flags.output === 'json' ? 'json' : 'text'),
      );
      finish(changed > 0 ? 1 : 0);
      return;
    }
    const model = await loadPolicyModel(manifests, modelOptions);
    if (explain) {
      if (explain.length !== 3) throw new UsageError('--explain takes three values: --explain FROM TO PORT');
      const decisions = views.explainCell(
        model,
        explain[0]!,
        explain[1]!,
        args.parsePortArg(explain[2]!, '--explain PORT'),
      );
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(decisions, null, 2)}\n`);
      else if (flags.output === 'table' || flags.output === 'markdown')
        process.stdout.write(views.renderDecisions(decisions));
      else throw new UsageError('--explain prints table, markdown or json');
      finish(0);
      return;
    }
    if (test) {
      finish(await observeAndReport(test, new SimulatedBackend((t) => predictTest(model, t)), flags));
      return;
    }
    const ports = (opts.port as string[]).map((p) => args.parsePortArg(p, '--port'));
    const { test: matrix, backend } = workloadMatrix(model, ports);
    if (matrix.targets.length === 0)
      throw new UsageError('simulate: no workload declares a container port; name ports with --port');
    finish(await observeAndReport(matrix, backend, flags, { exitCode: adHocExitCode }));
  });
}
