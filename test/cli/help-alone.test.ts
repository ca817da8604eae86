// A command line that names a subcommand builds only that subcommand (program.ts, commandsFor): what
// it prints — help, version, usage errors — must be the bytes the whole program prints for it.

import t from 'tap';
import { buildProgram } from '../../src/cli/program.ts';
import { capturedIo, cli } from '../helpers/cli-in-process.ts';

/** What the whole program prints for `argv`, and its exit code: every subcommand declared. */
async function wholeProgram(argv: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = capturedIo();
  let status = 0;
  try {
    await buildProgram(() => {}, io).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    status = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  return { status, ...io.text() };
}

/** Every subcommand's words, `lab up` included. */
function commandPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (command: ReturnType<typeof buildProgram>, path: string[]): void => {
    for (const sub of command.commands) {
      const next = [...path, sub.name()];
      paths.push(next);
      walk(sub as ReturnType<typeof buildProgram>, next);
    }
  };
  walk(
    buildProgram(() => {}, capturedIo()),
    [],
  );
  return paths;
}

t.test('every subcommand help is the whole program help for it', async (t) => {
  const paths = commandPaths();
  t.ok(paths.length >= 10, 'the walk found the subcommands');
  for (const path of paths) {
    const alone = await cli([...path, '--help']);
    const whole = await wholeProgram([...path, '--help']);
    t.equal(alone.stdout, whole.stdout, `${path.join(' ')} --help`);
    t.equal(alone.status, 0, `${path.join(' ')} --help exits 0`);
  }
});

t.test('--version, help of a subcommand and usage errors print what the whole program prints', async (t) => {
  for (const argv of [['--version'], ['-V'], ['probe', '--bogus'], ['agent', '--plan'], ['lab', 'up', '--nme', 'x']]) {
    const alone = await cli(argv);
    const whole = await wholeProgram(argv);
    t.equal(alone.stdout, whole.stdout, `${argv.join(' ')}: stdout`);
    t.equal(alone.stderr, whole.stderr, `${argv.join(' ')}: stderr`);
  }
  const help = await cli(['help', 'lab', 'up']);
  t.equal(help.stdout, (await wholeProgram(['lab', 'up', '--help'])).stdout, 'help lab up');
});
