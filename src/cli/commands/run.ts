// `prober run`: run a ReachabilityTest in a Kubernetes cluster, probing from the real source workloads.

import { type Command, Option } from '@commander-js/extra-typings';
import { agentContainerName, defaultImage } from '../../cluster/agent-spec.ts';
import { type Bounds, parseBounds } from '../../cluster/probe-pod-resources.ts';
import { AGENT_TIMEOUT } from '../../model/duration.ts';
import type { Io } from '../../model/io.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { PROBER_VERSION } from '../../orchestration/version.ts';
import { accessFlags, addAccessOptions } from '../access-options.ts';
import { addIgnoreKindOption, ignoreKindsFlag } from '../ignore-kind.ts';
import {
  addOutputOptions,
  addProbeOptions,
  durationFlag,
  intFlag,
  namespaceFlag,
  rangeText,
  runFlags,
} from '../options.ts';

/** Parser of `--agent-cpu`/`--agent-memory`: REQUEST:LIMIT, or a usage error (exit 2). */
function boundsFlag(flag: string, resource: 'cpu' | 'memory'): (value: string) => Bounds {
  return (value) => {
    const parsed = parseBounds(resource, value);
    if (typeof parsed === 'string') throw new UsageError(`${flag}: ${parsed}`);
    return parsed;
  };
}

/** Registers `run`. */
export function registerRun(program: Command, finish: (code: ExitCode) => void, io: Io): void {
  const base = program
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
    .option(
      '-n, --namespace <ns>',
      "namespace for sources that name none (default: the context's namespace)",
      namespaceFlag('-n'),
    )
    .addOption(
      new Option(
        '--agent <mode>',
        "how agents run: inside the source pod, in a probe pod beside it, or auto: inside where the pod's memory limit has room for the agent, else a probe pod; resident: the plan exec'd into one idle agent kept in each source pod (pods/exec)",
      )
        .choices(['auto', 'ephemeral', 'pod', 'resident'] as const)
        .default('auto' as const),
    )
    .option(
      '--agent-cpu <request:limit>',
      "the probe pod agent's CPU request and limit, e.g. 10m:500m (default: those, fitted to the namespace's LimitRanges)",
      boundsFlag('--agent-cpu', 'cpu'),
    )
    .option(
      '--agent-memory <request:limit>',
      "the probe pod agent's memory request and limit, e.g. 96Mi:256Mi (default: those, the limit raised to what the plan needs, fitted to the namespace's LimitRanges)",
      boundsFlag('--agent-memory', 'memory'),
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
  const command = addIgnoreKindOption(addProbeOptions(addOutputOptions(addAccessOptions(base))));
  command.addHelpText(
    'after',
    `
Examples:
  prober run -f lab.yaml                              # from a laptop or CI runner (kubeconfig)
  prober run -f lab.yaml --context kind-lab -o junit > report.xml
  prober run -f lab.yaml -o svg > matrix.svg          # the matrix as a picture
  prober run -f lab.yaml --agent=pod                  # where ephemeral containers are not allowed
  kubectl -n prober run prober --rm -i --quiet --restart=Never --image=${defaultImage(PROBER_VERSION)} \\
    --override-type=strategic --overrides='{"spec":{"serviceAccountName":"prober",
      "securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
      "containers":[{"name":"prober","securityContext":{"allowPrivilegeEscalation":false,
        "capabilities":{"drop":["ALL"]}}}]}}' \\
    -- run -f - -o json < lab.yaml

Agents are labelled app.kubernetes.io/managed-by=prober and prober.dev/run-id=<id>; probe pods are
deleted when the run ends or is interrupted. Ephemeral containers (named ${agentContainerName('<id>', '<n>')})
cannot be removed: they stay, stopped, in the pod's spec until the pod is replaced.

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide (bad input, unreachable
cluster, failed agent, a checked cell that errored). An error cell no rule names is listed and counted,
but leaves the exit code alone.`,
  );
  command.action(async (opts) => {
    const { runInCluster } = await import('../../orchestration/cluster-run.ts');
    finish(
      await runInCluster(
        {
          file: opts.file,
          flags: runFlags(opts, io),
          ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
          ...(opts.context !== undefined ? { context: opts.context } : {}),
          access: accessFlags(opts),
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          agent: opts.agent,
          ...(opts.agentCpu || opts.agentMemory
            ? {
                agentResources: {
                  ...(opts.agentCpu ? { cpu: opts.agentCpu } : {}),
                  ...(opts.agentMemory ? { memory: opts.agentMemory } : {}),
                },
              }
            : {}),
          // Only an image given on the command line overrides prober's own image in a pod.
          ...(command.getOptionValueSource('image') === 'default' ? {} : { image: opts.image }),
          fallbackImage: defaultImage(PROBER_VERSION),
          parallel: opts.parallel,
          ...(opts.agentTimeout !== undefined ? { agentTimeoutMs: opts.agentTimeout } : {}),
          clusterDomain: opts.clusterDomain,
          ignoreKinds: await ignoreKindsFlag(opts.ignoreKind),
        },
        io,
      ),
    );
  });
}
