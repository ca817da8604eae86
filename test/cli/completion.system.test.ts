// `prober completion bash|zsh|fish`: the scripts, loaded into the real shells, complete commands, flags and values.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir(t, 'completion');
writeFileSync(join(dir, 'test.yaml'), '');
writeFileSync(join(dir, 'tests.txt'), '');

/** The script for `shell`, written to a file the shell sources. */
async function script(shell: string): Promise<string> {
  const out = await cli(['completion', shell]);
  if (out.status !== 0) throw new Error(out.stderr);
  const file = join(dir, `prober.${shell}`);
  writeFileSync(file, out.stdout);
  return file;
}

/** Command lines to complete (the last word is the one being typed) and what each must offer. */
const CASES: [string[], string[]][] = [
  [['prober', 'si'], ['simulate']],
  [['prober', 'lab', 't'], ['test']],
  [
    ['prober', 'run', '-o', ''],
    ['table', 'json', 'junit', 'markdown', 'svg', 'html'],
  ],
  [
    ['prober', 'run', '--agent', ''],
    ['auto', 'ephemeral', 'pod', 'resident'],
  ],
  [
    ['prober', 'lint', '--f'],
    ['--file', '--fail-on'],
  ],
  [
    ['prober', 'check', '-f', 'te'],
    ['test.yaml', 'tests.txt'],
  ],
  [['prober', 'completion', '--h'], ['--help']],
  [
    ['prober', 'cleanup', '--a'],
    ['--all', '--all-namespaces', '--as', '--as-group'],
  ],
  [
    ['prober', 'cleanup', '-o', ''],
    ['table', 'json'],
  ],
  [['prober', 'run', '--re'], ['--request-timeout']],
];

t.test('bash: complete -F _prober gives the words for each line', async (t) => {
  const file = await script('bash');
  for (const [words, expected] of CASES) {
    const line = words.map((w) => `'${w}'`).join(' ');
    const run = spawnSync(
      'bash',
      [
        '-c',
        `source "$1"; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _prober; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        file,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    t.equal(run.stderr, '', words.join(' '));
    t.same(run.stdout.split('\n').filter(Boolean).sort(), [...expected].sort(), words.join(' '));
  }
  const registered = spawnSync('bash', ['-c', 'source "$1"; complete -p prober kubectl-prober', 'bash', file], {
    encoding: 'utf8',
  });
  t.match(registered.stdout, /complete -F _prober prober\n.*kubectl-prober/);
});

t.test('fish: complete -C gives the words for each line', async (t) => {
  const file = await script('fish');
  for (const [words, expected] of CASES) {
    const run = spawnSync('fish', ['-c', `source $argv[1]; complete -C ${JSON.stringify(words.join(' '))}`, file], {
      cwd: dir,
      encoding: 'utf8',
    });
    t.equal(run.stderr, '', words.join(' '));
    const offered = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);
    t.same(offered.sort(), [...expected].sort(), words.join(' '));
  }
});

t.test('zsh: the script loads through bashcompinit and registers prober and kubectl-prober', async (t) => {
  const file = await script('zsh');
  const run = spawnSync(
    'zsh',
    [
      '-f',
      '-c',
      'autoload -U compinit && compinit -u -d "$2/zcompdump"; source "$1"; print -r -- "$_comps[prober]|$_comps[kubectl-prober]"',
      'zsh',
      file,
      dir,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  t.equal(run.stderr, '');
  t.equal(run.stdout, '_bash_complete -F _prober|_bash_complete -F _prober\n');
});

t.test('a shell it does not know is a usage error', async (t) => {
  const out = await cli(['completion', 'tcsh']);
  t.equal(out.status, 2);
  t.match(out.stderr, /value 'tcsh' is invalid for argument 'shell'/);
});
