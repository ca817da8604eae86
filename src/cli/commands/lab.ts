// `prober lab …`: the seed's lab on this Linux host — up, apply, test, reset, down, status, demo.

import { type Command, type OptionValues, Option } from '@commander-js/extra-typings';
import { quoteName } from '../../model/k8s-names.ts';
import type { ExitCode } from '../../model/report.ts';
import { labNameProblem } from '../../lab/names.ts';
import { withInterrupts } from '../../orchestration/interrupts.ts';
import { effectiveDefaults } from '../../orchestration/run-flags.ts';
import { UsageError } from '../../orchestration/usage-error.ts';
import { escapeText } from '../../report/escape.ts';
import { addOutputOptions, addProbeOptions, runFlags } from '../options.ts';

const DEFAULT_LAB = 'prober-lab';

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

/** Registers `lab` and its subcommands. */
export function registerLab(program: Command, finish: (code: ExitCode) => void): void {
  const lab = program
    .command('lab')
    .summary('run the lab on this host: network namespaces, real programs, nftables policies')
    .description(
      'Stands the lab of k8s/ up on one Linux host (root): one network namespace per pod on a bridge, ' +
        'Service names resolving to virtual IPs, and the real programs (redis-server, Apache httpd, webdis, ' +
        'the time app). Policies are enforced with nftables, and `lab test` probes like a cluster run.',
    );

  labOptions(lab.command('up').summary('create the lab from manifests and start its programs'))
    .option('-f, --manifests <path...>', 'manifest files or directories', ['k8s'])
    .option('--app-runtime <dir>', "the time app's Debian 13 root (default: the cache of npm run app:prepare)")
    .option('--app-dir <dir>', 'the built time app (default: app/ next to the prober binary)')
    .addHelpText('after', '\nExample:\n  sudo prober lab up -f k8s/')
    .action(async (opts) => {
      const [{ labUp }, { proberArgv }, time] = await Promise.all([
        import('../../lab/lab.ts'),
        import('../../lab/self.ts'),
        import('../../lab/time-app.ts'),
      ]);
      const paths = time.defaultTimeAppPaths();
      await withInterrupts(async (signal) => {
        const state = await labUp({
          lab: opts.name,
          manifests: opts.manifests,
          prober: proberArgv(),
          timeApp: time.timeAppLauncher({
            rootfs: opts.appRuntime ?? paths.rootfs,
            appDir: opts.appDir ?? paths.appDir,
          }),
          signal,
          log: (line) => process.stderr.write(`lab ${opts.name}: ${escapeText(line)}\n`),
        });
        const { describeLab } = await import('../../lab/describe.ts');
        process.stdout.write(describeLab(state));
      });
      finish(0);
    });

  labOptions(lab.command('down').summary('remove every namespace, process, rule and file of the lab'))
    .addHelpText('after', '\nExample:\n  sudo prober lab down')
    .action(async (opts) => {
      const { labDown } = await import('../../lab/lab.ts');
      const { removed, skipped } = await labDown(opts.name);
      for (const line of skipped) process.stderr.write(`lab ${opts.name}: ${escapeText(line)}\n`);
      process.stderr.write(
        `lab ${opts.name}: ${removed > 0 ? `removed ${removed} namespaces` : 'nothing to remove'}\n`,
      );
      finish(0);
    });

  labOptions(lab.command('status').summary('show what the lab runs and how to reach it'))
    .addHelpText('after', '\nExample:\n  sudo prober lab status')
    .action(async (opts) => {
      const [{ readState }, { describeLab }] = await Promise.all([
        import('../../lab/state.ts'),
        import('../../lab/describe.ts'),
      ]);
      const state = await readState(opts.name);
      if (!state) throw new Error(`lab "${opts.name}" is not up (start it with \`prober lab up\`)`);
      process.stdout.write(describeLab(state));
      finish(0);
    });

  labOptions(lab.command('apply').summary('enforce policies in the lab with nftables (replaces the applied set)'))
    .requiredOption(
      '-f, --policies <path...>',
      'policy files or directories (NetworkPolicy, AdminNetworkPolicy, Cilium)',
    )
    .addHelpText('after', '\nExample:\n  sudo prober lab apply -f policies/networkpolicy/')
    .action(async (opts) => {
      const { labApply } = await import('../../lab/policies.ts');
      const { firewalls } = await labApply(opts.name, opts.policies);
      const isolated = firewalls.filter((f) => f.ingressIsolated || f.egressIsolated).map((f) => f.netns);
      process.stderr.write(
        `lab ${opts.name}: applied ${opts.policies.join(', ')}; isolated pods: ${isolated.join(', ') || 'none'}\n`,
      );
      finish(0);
    });

  labOptions(lab.command('reset').summary('remove every policy rule: everything allowed again'))
    .addHelpText('after', '\nExample:\n  sudo prober lab reset')
    .action(async (opts) => {
      const { labReset } = await import('../../lab/policies.ts');
      await labReset(opts.name);
      process.stderr.write(`lab ${opts.name}: policies removed\n`);
      finish(0);
    });

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
      const { runLabTest } = await import('../lab-test.ts');
      const flags = runFlags(opts);
      finish(
        await runLabTest({
          lab: opts.name,
          file: opts.file,
          flags,
          expect: opts.expect,
          defaults: effectiveDefaults,
        }),
      );
    });

  const demo = addProbeOptions(
    addOutputOptions(
      labOptions(lab.command('demo').summary("the seed's story: up, test, apply the NetworkPolicy, test again, down"))
        .option('-f, --manifests <path...>', 'manifest files or directories of the lab', ['k8s'])
        .option('--policies <path...>', 'the policy set to apply halfway', ['policies/networkpolicy'])
        .option('--test <file>', 'the ReachabilityTest of the lab', 'policies/expectations.yaml')
        .option('--ingress-namespace <ns>', "where the seed's curl checks run from", 'a-ingress-traefik')
        .option('--host <name>', "the Ingress host the seed's checks call", 'pippo.lan')
        .option('--app-runtime <dir>', "the time app's Debian 13 root (default: the cache of npm run app:prepare)")
        .option('--app-dir <dir>', 'the built time app (default: app/ next to the prober binary)'),
    ),
  );
  demo
    .addHelpText(
      'after',
      '\nExample:\n  sudo prober lab demo          # what `npm start` runs, from the repository root',
    )
    .action(async (opts) => {
      const [{ runLabDemo }, { defaultTimeAppPaths }] = await Promise.all([
        import('../lab-demo.ts'),
        import('../../lab/time-app.ts'),
      ]);
      const paths = defaultTimeAppPaths();
      finish(
        await runLabDemo({
          lab: opts.name,
          manifests: opts.manifests,
          policies: opts.policies,
          test: opts.test,
          ingressNamespace: opts.ingressNamespace,
          host: opts.host,
          timeApp: {
            rootfs: opts.appRuntime ?? paths.rootfs,
            appDir: opts.appDir ?? paths.appDir,
          },
          flags: runFlags(opts),
        }),
      );
    });
}
