// `prober lab …`: a lab of manifests on this Linux host — up, apply, test, reset, down, status, demo.

import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { labNameProblem } from '../../lab/names.ts';
import type { Io } from '../../model/io.ts';
import { quoteName } from '../../model/k8s-names.ts';
import type { ExitCode } from '../../model/report.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { addOutputOptions, addProbeOptions, namespaceFlag, runFlags } from '../options.ts';

const DEFAULT_LAB = 'prober-lab';

/** The repository's own lab: the profile `lab up` and `lab demo` use when no manifests are named. */
const DEFAULT_PROFILE = 'policies/lab-profile.yaml';

/** The profile a command uses: the one named, else the repository's when no manifests are named either. */
function profilePath(opts: { manifests?: string[]; profile?: string }): string | undefined {
  return opts.profile ?? (opts.manifests === undefined ? DEFAULT_PROFILE : undefined);
}

const PROFILE_HELP = `
Lab profile (--profile FILE): what belongs to one lab rather than to prober, as YAML. Paths are
relative to the profile's file; each section of spec is optional; a bad field is file:line: field, exit 2.
  apiVersion: prober/v1alpha1
  kind: LabProfile
  metadata: { name: seed-lab }
  spec:
    manifests: [../k8s]                # used when -f is not given
    programs:                          # images prober does not know by name; known: redis, valkey,
      - image: ghcr.io/prober-dev/time-app   # httpd, webdis; any other runs prober serve
        program: time-app              # redis | apache | webdis | time-app | synthetic
    demo:                              # for lab demo
      requiredBy: the seed             # prints "The seed's checks …", "… as the seed requires."
      from: a-ingress-traefik          # checks run from the first pod of this namespace
      host: pippo.lan                  # and call http://<host><path>, one at a time, in order
      policies: [networkpolicy]        # applied halfway
      test: expectations.yaml          # the ReachabilityTest judged before and after
      checks:                          # before/after: works (2xx) or error; a named check only
        - { path: /count/set, label: initialise the time }
        - { name: case 1, path: /count/get, label: "case 1", before: works, after: works }
        - { name: case 2, path: /redis/GET/time, label: "case 2", before: works, after: error }
Without -f and --profile: the repository's lab, ${DEFAULT_PROFILE}.`;

/** `--name` is checked while the arguments are parsed, before any subcommand reads or writes a file. */
function labName(value: string): string {
  const problem = labNameProblem(value);
  if (problem) throw new UsageError(`--name: ${quoteName(value)} is not a lab name: ${problem}`);
  return value;
}

function labOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(command: Command<A, O, G>) {
  return command.addOption(
    new Option(
      '--name <lab>',
      'lab name: lowercase letters, digits and "-", at most 32 (several labs can run side by side)',
    )
      .default(DEFAULT_LAB)
      .argParser(labName),
  );
}

/** What a subcommand's action calls with its exit code. */
type Finish = (code: ExitCode) => void;

/** Registers `lab` and its subcommands, in the order `prober lab --help` lists them. */
export function registerLab(program: Command, finish: Finish, io: Io): void {
  const lab = program
    .command('lab')
    .summary('run the lab on this host: network namespaces, real programs, nftables policies')
    .description(
      'Stands a lab of manifests up on one Linux host (root): one network namespace per pod on a bridge, ' +
        'Service names resolving to virtual IPs, and the real programs (redis-server, Apache httpd, webdis, ' +
        'the time app). Policies are enforced with nftables, and `lab test` probes like a cluster run. ' +
        `By default the repository's lab: k8s/ with its lab profile, ${DEFAULT_PROFILE}.`,
    )
    // Before any subcommand's action reads an input or touches the lab (arguments are parsed already);
    // loaded here, as the lab's other modules are, so that commands other than lab do not load it.
    .hook('preAction', async () => (await import('../../lab/preflight.ts')).requireRoot());
  registerUp(lab, finish, io);
  registerLifecycle(lab, finish, io);
  registerTest(lab, finish, io);
  registerDemo(lab, finish, io);
}

/** `lab up`: the lab from manifests, or from a profile. */
function registerUp(lab: Command, finish: Finish, io: Io): void {
  labOptions(lab.command('up').summary('create the lab from manifests and start its programs'))
    .option('-f, --manifests <path...>', "manifest files or directories (default: the profile's spec.manifests)")
    .option(
      '--profile <file>',
      `the lab profile: program choices for images (default: ${DEFAULT_PROFILE} when -f is not given)`,
    )
    .option('--app-runtime <dir>', "the time app's Debian 13 root (default: the cache of npm run app:prepare)")
    .option('--app-dir <dir>', 'the built time app (default: app/ next to the prober binary)')
    .addHelpText(
      'after',
      `\nExamples:\n  sudo prober lab up                  # the repository's lab (${DEFAULT_PROFILE})\n  sudo prober lab up -f my-manifests/ # any manifests, no profile\n${PROFILE_HELP}`,
    )
    .action(async (opts) => {
      const { standLabUp } = await import('../../orchestration/lab-lifecycle.ts');
      finish(
        await standLabUp(
          {
            lab: opts.name,
            manifests: opts.manifests,
            profile: profilePath(opts),
            appRuntime: opts.appRuntime,
            appDir: opts.appDir,
          },
          io,
        ),
      );
    });
}

/** `lab down`, `status`, `apply` and `reset`: each one call on a lab that is up. */
function registerLifecycle(lab: Command, finish: Finish, io: Io): void {
  labOptions(lab.command('down').summary('remove every namespace, process, rule and file of the lab'))
    .addHelpText('after', '\nExample:\n  sudo prober lab down')
    .action(async (opts) => {
      const { takeLabDown } = await import('../../orchestration/lab-lifecycle.ts');
      finish(await takeLabDown(opts.name, io));
    });

  labOptions(lab.command('status').summary('show what the lab runs and how to reach it'))
    .addHelpText('after', '\nExample:\n  sudo prober lab status')
    .action(async (opts) => {
      const { showLabStatus } = await import('../../orchestration/lab-lifecycle.ts');
      finish(await showLabStatus(opts.name, io));
    });

  labOptions(lab.command('apply').summary('enforce policies in the lab with nftables (replaces the applied set)'))
    .requiredOption(
      '-f, --policies <path...>',
      'policy files or directories (NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, Cilium, Istio)',
    )
    .option('--assume-mesh', 'run an Istio sidecar in every pod (as if every namespace were labelled for injection)')
    .option(
      '--unenforced <what...>',
      "leave out of the nftables rules, as a CNI without them would (lab test's model keeps them): all, udp, sctp, or a policy kind",
    )
    .option(
      '--snat <namespace/workload...>',
      "masquerade these workloads' IPv4 traffic to other pods to the node's address (an egress gateway, a CNI's masquerade)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  sudo prober lab apply -f policies/networkpolicy/\n  sudo prober lab apply -f policies/istio/ --assume-mesh\n  sudo prober lab apply -f policies/networkpolicy/ --unenforced all   # a CNI without NetworkPolicy (flannel)',
    )
    .action(async (opts) => {
      const { applyLabPolicies } = await import('../../orchestration/lab-lifecycle.ts');
      finish(
        await applyLabPolicies(opts.name, opts.policies, io, {
          assumeMesh: opts.assumeMesh === true,
          ...(opts.unenforced ? { unenforced: opts.unenforced } : {}),
          ...(opts.snat ? { snat: opts.snat } : {}),
        }),
      );
    });

  labOptions(
    lab
      .command('stop')
      .summary("stop pods' programs: their endpoints turn not ready and Services route around them")
      .argument('<pods...>', 'pods as namespace/name, as `lab status` lists them'),
  )
    .addHelpText('after', '\nExample:\n  sudo prober lab stop zones/paperino-0 zones/paperino-2')
    .action(async (pods, opts) => {
      const { stopLabPods } = await import('../../orchestration/lab-lifecycle.ts');
      finish(await stopLabPods(opts.name, pods, io));
    });

  labOptions(lab.command('reset').summary('remove every policy rule: everything allowed again'))
    .addHelpText('after', '\nExample:\n  sudo prober lab reset')
    .action(async (opts) => {
      const { resetLabPolicies } = await import('../../orchestration/lab-lifecycle.ts');
      finish(await resetLabPolicies(opts.name, io));
    });
}

/** `lab test`: a ReachabilityTest probed from the lab's pods. */
function registerTest(lab: Command, finish: Finish, io: Io): void {
  const test = addProbeOptions(
    addOutputOptions(
      labOptions(lab.command('test').summary('run a ReachabilityTest from the lab pods and compare'))
        .requiredOption('-f, --file <test.yaml>', 'the ReachabilityTest to run (- reads it from stdin)')
        .addOption(
          new Option(
            '--expect <source>',
            'what to compare with: the written rules, the policy model of the applied policies, or both',
          ).choices(['written', 'policies', 'both'] as const),
        ),
    ),
  );
  test
    .addHelpText(
      'after',
      `
Examples:
  sudo prober lab test -f policies/expectations.yaml
  sudo prober lab test -f policies/expectations.yaml --expect both -o junit > lab.xml

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide`,
    )
    .action(async (opts) => {
      const { runLabTest } = await import('../../orchestration/lab-test.ts');
      const flags = runFlags(opts, io);
      finish(
        await runLabTest(
          {
            lab: opts.name,
            file: opts.file,
            flags,
            expect: opts.expect,
          },
          io,
        ),
      );
    });
}

/** `lab demo`: a lab profile's story from up to down. */
function registerDemo(lab: Command, finish: Finish, io: Io): void {
  const demo = addProbeOptions(
    addOutputOptions(
      labOptions(
        lab.command('demo').summary("a lab profile's story: up, checks and test, apply its policies, again, down"),
      )
        .option(
          '--profile <file>',
          `the lab profile that tells the story (default: ${DEFAULT_PROFILE} when -f is not given)`,
        )
        .option('-f, --manifests <path...>', "manifest files or directories of the lab (default: the profile's)")
        .option('--policies <path...>', "the policy set to apply halfway (default: the profile's spec.demo.policies)")
        .option('--assume-mesh', 'with the policies, run an Istio sidecar in every pod (as lab apply --assume-mesh)')
        .option('--test <file>', "the ReachabilityTest of the lab (default: the profile's spec.demo.test)")
        .option(
          '--ingress-namespace <ns>',
          "where the checks run from (default: the profile's spec.demo.from)",
          namespaceFlag('--ingress-namespace'),
        )
        .option('--host <name>', "the host the checks call (default: the profile's spec.demo.host)")
        .option('--app-runtime <dir>', "the time app's Debian 13 root (default: the cache of npm run app:prepare)")
        .option('--app-dir <dir>', 'the built time app (default: app/ next to the prober binary)'),
    ),
  );
  demo
    .addHelpText(
      'after',
      `\nExample:\n  sudo prober lab demo          # what \`npm start\` runs, from the repository root\n${PROFILE_HELP}`,
    )
    .action(async (opts) => {
      const profile = profilePath(opts);
      if (profile === undefined)
        throw new UsageError('lab demo: -f names the manifests but no --profile tells the story (its checks)');
      const { runLabDemo } = await import('../../orchestration/lab-demo.ts');
      const { manifests, policies, test, ingressNamespace: from, host } = opts;
      finish(
        await runLabDemo(
          {
            lab: opts.name,
            profile,
            overrides: {
              ...(manifests ? { manifests } : {}),
              ...(policies ? { policies } : {}),
              ...(test ? { test } : {}),
              ...(from ? { from } : {}),
              ...(host ? { host } : {}),
            },
            timeApp: { rootfs: opts.appRuntime, appDir: opts.appDir },
            flags: runFlags(opts, io),
            ...(opts.assumeMesh ? { assumeMesh: true } : {}),
          },
          io,
        ),
      );
    });
}
