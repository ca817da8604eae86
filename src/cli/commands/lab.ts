// `prober lab …`: the seed's lab on this Linux host — up, apply, test, reset, down, status, demo.

import { Command } from 'commander';
import type { ExitCode } from '../../model/report.ts';
import { withInterrupts } from '../interrupts.ts';

const DEFAULT_LAB = 'prober-lab';

function labOptions(command: Command): Command {
  return command.option('--name <lab>', 'lab name (several labs can run side by side)', DEFAULT_LAB);
}

/** Registers `lab` and its subcommands. */
export function registerLab(program: Command, finish: (code: ExitCode) => void): void {
  const lab = program
    .command('lab')
    .summary('run the lab on this host: network namespaces, real programs, nftables policies')
    .description(
      'Stands the lab of k8s/ up on one Linux host (root): one network namespace per pod on a bridge,\n' +
        'Service names resolving to virtual IPs, and the real programs (redis-server, Apache httpd, webdis,\n' +
        'the time app). Policies are enforced with nftables, and `lab test` probes like a cluster run.',
    );

  labOptions(lab.command('up').summary('create the lab from manifests and start its programs'))
    .option('-f, --manifests <path...>', 'manifest files or directories', ['k8s'])
    .addHelpText('after', '\nExample:\n  sudo prober lab up -f k8s/')
    .action(async (opts: { name: string; manifests: string[] }) => {
      const [{ labUp }, { proberArgv }] = await Promise.all([import('../../lab/lab.ts'), import('../../lab/self.ts')]);
      await withInterrupts(async (signal) => {
        const state = await labUp({
          lab: opts.name,
          manifests: opts.manifests,
          prober: proberArgv(),
          signal,
          log: (line) => process.stderr.write(`lab ${opts.name}: ${line}\n`),
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
      const { removed } = await labDown(opts.name);
      process.stderr.write(`lab ${opts.name}: ${removed > 0 ? `removed ${removed} namespaces` : 'nothing to remove'}\n`);
      finish(0);
    });

  labOptions(lab.command('status').summary('show what the lab runs and how to reach it'))
    .addHelpText('after', '\nExample:\n  sudo prober lab status')
    .action(async (opts: { name: string }) => {
      const [{ readState }, { describeLab }] = await Promise.all([import('../../lab/state.ts'), import('../../lab/describe.ts')]);
      const state = await readState(opts.name);
      if (!state) throw new Error(`lab "${opts.name}" is not up (start it with \`prober lab up\`)`);
      process.stdout.write(describeLab(state));
      finish(0);
    });
}
