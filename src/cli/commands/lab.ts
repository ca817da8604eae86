// `prober lab …`: the seed's lab on this Linux host — up, apply, test, reset, down, status, demo.

import { type Command, Option } from 'commander';
import { quoteName } from '../../model/k8s-names.ts';
import type { ExitCode } from '../../model/report.ts';
import { labNameProblem } from '../../lab/names.ts';
import { escapeText } from '../../report/escape.ts';
import { withInterrupts } from '../interrupts.ts';
import { addOutputOptions, addProbeOptions, runFlags } from '../options.ts';
import { UsageError } from '../usage-error.ts';
import { effectiveDefaults } from './check.ts';

const DEFAULT_LAB = 'prober-lab';

/** `--name` is checked while the arguments are parsed, before any subcommand reads or writes a file. */
function labName(value: string): string {
  const problem = labNameProblem(value);
  if (problem) throw new UsageError(`--name: ${quoteName(value)} is not a lab name: ${problem}`);
  return value;
}

function labOptions(command: Command): Command {
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
    .action(async (opts: { name: string; manifests: string[]; appRuntime?: string; appDir?: string }) => {
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
    .action(async (opts: { name: string }) => {
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
    .action(async (opts: { name: string }) => {
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
    .action(async (opts: { name: string; policies: string[] }) => {
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
    .action(async (opts: { name: string }) => {
      const { labReset } = await import('../../lab/policies.ts');
      await labReset(opts.name);
      process.stderr.write(`lab ${opts.name}: policies removed\n`);
      finish(0);
    });

  const test = labOptions(lab.command('test').summary('run a ReachabilityTest from the lab pods and compare'))
    .requiredOption('-f, --file <test.yaml>', 'the ReachabilityTest to run (- reads it from stdin)')
    .addOption(
      new Option(
        '--expect <source>',
        'what to compare with: the written rules, the policy model of the applied policies, or both',
      ).choices(['written', 'policies', 'both']),
    );
  addProbeOptions(addOutputOptions(test));
  test
    .addHelpText(
      'after',
      `
Examples:
  sudo prober lab test -f policies/expectations.yaml
  sudo prober lab test -f policies/expectations.yaml --expect both -o junit > lab.xml

Exit codes: 0 every checked cell matched · 1 a mismatch · 2 could not decide`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { runLabTest } = await import('../lab-test.ts');
      const flags = runFlags(opts);
      finish(
        await runLabTest({
          lab: String(opts.name),
          file: String(opts.file),
          flags,
          expect: opts.expect as 'written' | 'policies' | 'both' | undefined,
          defaults: effectiveDefaults,
        }),
      );
    });

  const demo = labOptions(
    lab.command('demo').summary("the seed's story: up, test, apply the NetworkPolicy, test again, down"),
  )
    .option('-f, --manifests <path...>', 'manifest files or directories of the lab', ['k8s'])
    .option('--policies <path...>', 'the policy set to apply halfway', ['policies/networkpolicy'])
    .option('--test <file>', 'the ReachabilityTest of the lab', 'policies/expectations.yaml')
    .option('--ingress-namespace <ns>', "where the seed's curl checks run from", 'a-ingress-traefik')
    .option('--host <name>', "the Ingress host the seed's checks call", 'pippo.lan')
    .option('--app-runtime <dir>', "the time app's Debian 13 root (default: the cache of npm run app:prepare)")
    .option('--app-dir <dir>', 'the built time app (default: app/ next to the prober binary)');
  addProbeOptions(addOutputOptions(demo));
  demo
    .addHelpText(
      'after',
      '\nExample:\n  sudo prober lab demo          # what `npm start` runs, from the repository root',
    )
    .action(async (opts: Record<string, unknown>) => {
      const [{ runLabDemo }, { defaultTimeAppPaths }] = await Promise.all([
        import('../lab-demo.ts'),
        import('../../lab/time-app.ts'),
      ]);
      const paths = defaultTimeAppPaths();
      finish(
        await runLabDemo({
          lab: String(opts.name),
          manifests: opts.manifests as string[],
          policies: opts.policies as string[],
          test: String(opts.test),
          ingressNamespace: String(opts.ingressNamespace),
          host: String(opts.host),
          timeApp: {
            rootfs: (opts.appRuntime as string | undefined) ?? paths.rootfs,
            appDir: (opts.appDir as string | undefined) ?? paths.appDir,
          },
          flags: runFlags(opts),
        }),
      );
    });
}
