// `prober run`: run a ReachabilityTest in a Kubernetes cluster, probing from the real source workloads.

import { Option, type Command } from 'commander';
import { agentContainerName, defaultImage } from '../../cluster/agent-spec.ts';
import type { AgentMode } from '../../cluster/agents.ts';
import type { Connection } from '../../cluster/connection.ts';
import type { KubeApi } from '../../cluster/kube-api.ts';
import { AGENT_TIMEOUT } from '../../model/duration.ts';
import type { ExitCode } from '../../model/report.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import { addOutputOptions, addProbeOptions, durationFlag, intFlag, rangeText, runFlags } from '../options.ts';
import { escapeText } from '../../report/escape.ts';
import { PROBER_VERSION } from '../version.ts';
import { effectiveDefaults } from './check.ts';

// Warnings carry text from the API server and from manifests: escaped like every human-facing line.
const warn = (message: string): void => {
  process.stderr.write(`prober: warning: ${escapeText(message)}\n`);
};

/** In a pod, the agents use prober's own image unless --image says otherwise; elsewhere the published one. */
async function agentImage(api: KubeApi, connection: Connection, fallback: string): Promise<string> {
  const { ownImage } = await import('../../cluster/own-image.ts');
  try {
    return (await ownImage(api, connection)) ?? fallback;
  } catch (error) {
    warn(
      `agents use ${fallback}: unable to read this pod's own image (${error instanceof Error ? error.message : String(error)})`,
    );
    return fallback;
  }
}

/** Registers `run`. */
export function registerRun(program: Command, finish: (code: ExitCode) => void): void {
  const command = program
    .command('run')
    .summary('run a ReachabilityTest in a Kubernetes cluster, probing from the real workloads')
    .description(
      'Finds a Ready pod of every source and starts `prober agent` inside it (an ' +
        'ephemeral container, or a probe pod with its labels and service account), ' +
        'reads the results through the Kubernetes API, compares them with the ' +
        'expectations and prints the matrix. Connects with the service account of ' +
        'the pod it runs in, else with the kubeconfig (like kubectl).',
    )
    .requiredOption('-f, --file <test.yaml>', 'the ReachabilityTest to run (- reads it from stdin)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', "namespace for sources that name none (default: the context's namespace)")
    .addOption(
      new Option('--agent <mode>', 'how agents run: inside the source pod, or in a probe pod beside it')
        .choices(['ephemeral', 'pod'])
        .default('ephemeral'),
    )
    .option(
      '--image <ref>',
      "image with the prober binary for agents (in a pod: the pod's own prober image)",
      defaultImage(PROBER_VERSION),
    )
    .addOption(
      new Option('--parallel <n>', 'sources probed at the same time (1-256)')
        .argParser(intFlag('--parallel', 1, 256))
        .default(8),
    )
    .addOption(
      new Option(
        '--agent-timeout <duration>',
        `deadline for one agent, image pull included, ${rangeText(AGENT_TIMEOUT)} (default: worked out from the plan)`,
      ).argParser(durationFlag('--agent-timeout', AGENT_TIMEOUT)),
    )
    .option('--cluster-domain <domain>', 'cluster DNS domain of Service names', 'cluster.local');
  addIgnoreKindOption(addProbeOptions(addOutputOptions(command)));
  command.addHelpText(
    'after',
    `
Examples:
  prober run -f lab.yaml                              # from a laptop or CI runner (kubeconfig)
  prober run -f lab.yaml --context kind-lab -o junit > report.xml
  prober run -f lab.yaml --agent=pod                  # where ephemeral containers are not allowed
  kubectl run prober --rm -i --restart=Never --image=${defaultImage(PROBER_VERSION)} \\
    --overrides='{"spec":{"serviceAccountName":"prober"}}' -- run -f - -o json < lab.yaml

Agents are labelled app.kubernetes.io/managed-by=prober and prober.dev/run-id=<id>; probe pods are
deleted when the run ends or is interrupted. Ephemeral containers (named ${agentContainerName('<id>')})
cannot be removed: they stay, stopped, in the pod's spec until the pod is replaced.

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide (bad input, unreachable
cluster, failed agent, error cells)`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    const { loadReachabilityTest } = await import('../../config/load-test.ts');
    // `-f -` reads the test from stdin (what `kubectl run -i` can pass in).
    const test = await loadReachabilityTest(String(opts.file));
    const flags = runFlags(opts);
    // Loaded on use: client-node alone takes about a second to load, which `agent` in every pod need not pay.
    const [{ connect }, { clientNodeApi }, { ClusterBackend }, { livePolicyModel }, { observeAndReport }] =
      await Promise.all([
        import('../../cluster/connection.ts'),
        import('../../cluster/client-node-api.ts'),
        import('../../cluster/cluster-backend.ts'),
        import('../../cluster/live-policies.ts'),
        import('../observe-and-report.ts'),
      ]);
    const connection = connect({
      ...(typeof opts.kubeconfig === 'string' ? { kubeconfig: opts.kubeconfig } : {}),
      ...(typeof opts.context === 'string' ? { context: opts.context } : {}),
    });
    // Server errors retried are worth a line in CI logs; an unreachable server ends in one line anyway.
    const api = clientNodeApi(connection, {
      onRetry: (error, _attempt, message) => error.code !== undefined && warn(message),
    });
    const namespace = typeof opts.namespace === 'string' ? opts.namespace : connection.namespace;
    const model =
      test.expectFromPolicies || test.fromPolicies
        ? await livePolicyModel(api, test, namespace, warn, ignoreKindsFlag(opts))
        : undefined;
    const backend = new ClusterBackend(api, {
      image:
        command.getOptionValueSource('image') === 'default'
          ? await agentImage(api, connection, String(opts.image))
          : String(opts.image),
      agent: opts.agent as AgentMode,
      parallel: Number(opts.parallel),
      ...(typeof opts.agentTimeout === 'number' ? { agentTimeoutMs: opts.agentTimeout } : {}),
      defaults: effectiveDefaults(test, flags),
      namespace,
      context: connection.description,
      clusterDomain: String(opts.clusterDomain),
      warn,
    });
    finish(await observeAndReport(test, backend, flags, model ? { model } : {}));
  });
}
