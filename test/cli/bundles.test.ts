// The binary's two bundles (src/cli/bundle-asset.ts): the start bundle runs `--version`, `agent` and
// `probe`; every other command line goes to the full bundle. Both must give the same help and errors,
// both carry a code cache V8 accepts, and the bundles also run as plain files beside each other.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { codeCacheAssets, seaBlobs } from '../../release/sea-blob.ts';
import { START_COMMANDS } from '../../src/cli/start-commands.ts';
import { ROOT, requireBinary } from '../helpers/prober.ts';

const binary = requireBinary();
const run = (args: readonly string[], env: NodeJS.ProcessEnv = {}, command = binary) =>
  spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });

t.test('a start command reads the same from the start bundle as from the full one', async (t) => {
  for (const name of START_COMMANDS) {
    // A flag before the command sends the command line to the full bundle (main.ts routes on the first word).
    const start = run([name, '--help']);
    const full = run(['-v', '0', name, '--help']);
    t.equal(start.status, 0, `${name} --help`);
    t.equal(start.stdout, full.stdout, `${name}: one help, whichever bundle prints it`);
    const wrong = run([name, '--no-such-flag']);
    const wrongFull = run(['-v', '0', name, '--no-such-flag']);
    t.equal(wrong.status, 2, `${name}: an unknown flag is a usage error`);
    t.equal(wrong.stderr, wrongFull.stderr, `${name}: the same message from both`);
  }
});

t.test('every other command line runs the full bundle', async (t) => {
  const lint = run(['lint', '--help']);
  t.equal(lint.status, 0);
  t.match(lint.stdout, /^Usage: prober lint/m);
  const help = run(['--help']);
  t.match(help.stdout, /simulate/, "the program's help lists every command");
  const typo = run(['simulat']);
  t.equal(typo.status, 2);
  t.match(typo.stderr, /Did you mean simulate\?/, 'a typo is answered with every command in view');
});

t.test('both bundles carry a code cache, and V8 takes both', async (t) => {
  const bytes = readFileSync(binary);
  t.same(codeCacheAssets(bytes, seaBlobs(bytes)[0]!), ['prober-start.cjs.cache', 'prober.cjs.cache']);
  const plan = join(ROOT, 'test', 'fixtures', 'empty-plan.json');
  for (const args of [
    ['agent', '--plan', plan],
    ['lint', '--help'],
  ]) {
    const result = run(args, { PROBER_DEBUG: '1' });
    t.equal(result.status, 0, args.join(' '));
    t.notMatch(result.stderr, /code cache/, `${args[0]}: no cache rejected`);
  }
});

t.test('from files, the boot script runs the bundles beside it', async (t) => {
  const node = process.execPath;
  const boot = join(ROOT, 'dist', 'prober-boot.cjs');
  const version = spawnSync(node, [boot, '--version'], { encoding: 'utf8' });
  t.equal(version.stdout, run(['--version']).stdout, 'the start bundle answers --version');
  const lint = spawnSync(node, [boot, 'lint', '--help'], { encoding: 'utf8' });
  t.equal(lint.status, 0);
  t.match(lint.stdout, /^Usage: prober lint/m, 'and hands lint to the full bundle');
});
