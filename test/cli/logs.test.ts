// `-v` levels and `--log-format`: log lines on stderr through the command's one logger, as text or JSON,
// and nothing more than before without them; the report on stdout never changes.

import t, { type Test } from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { listen, silentServer } from '../helpers/peers.ts';

/** `prober probe` of one listening loopback port, with flags before the command and after it. */
async function probe(t: Test, before: string[], after: string[] = []) {
  const port = await listen(t, silentServer());
  return cli([...before, 'probe', '-o', 'json', '--settle', '0', ...after, `tcp://127.0.0.1:${port}`]);
}

/** The log lines of a stderr: those a level names (`prober: info: …`, or a JSON object). */
const logLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => /^prober: (info|debug|trace): /.test(line) || line.startsWith('{'));

t.test('without -v nothing is logged; -v logs the steps; -vv, -v 2 and --verbose=2 their details', async (t) => {
  const quiet = await probe(t, []);
  t.equal(quiet.status, 0, quiet.stderr);
  t.equal(quiet.stderr, '', 'no line on stderr');
  const info = await probe(t, ['-v']);
  t.equal(info.status, 0);
  t.same(
    logLines(info.stderr).map((line) => line.split(' ').slice(0, 3).join(' ')),
    ['prober: info: observing', 'prober: info: observed', 'prober: info: reported'],
    '-v: the steps of the run',
  );
  t.match(info.stderr, /^prober: info: observing test=probe backend=local sources=1 targets=1$/m);
  t.match(info.stderr, /^prober: info: reported output=json cells=1 pass=0 fail=0 error=0 unchecked=1 exitCode=0$/m);
  t.equal(info.stderr, `${logLines(info.stderr).join('\n')}\n`, 'only log lines');
  for (const flags of [['-vv'], ['-v', '2'], ['--verbose=2'], ['-v', '-v']]) {
    const debug = await probe(t, [], flags);
    t.equal(debug.status, 0);
    t.match(debug.stderr, /^prober: debug: here: 1\/1 probes$/m, `${flags.join(' ')}: the progress messages too`);
    t.equal(logLines(debug.stderr).length, 4, `${flags.join(' ')}: the three steps and one progress message`);
  }
  // The report on stdout is whole, and what it says does not depend on -v.
  const verdicts = (stdout: string) => {
    const report = JSON.parse(stdout) as { summary: unknown; cells: { observed: string; reason: string }[] };
    return { summary: report.summary, cells: report.cells.map((c) => [c.observed, c.reason]) };
  };
  t.same(verdicts(info.stdout), verdicts(quiet.stdout), 'the same report as without -v');
  t.same(verdicts(info.stdout).cells, [['allow', 'connected']]);
});

t.test('--log-format json: one object per line, with time, level and msg first', async (t) => {
  const run = await probe(t, ['--log-format', 'json', '-vv']);
  t.equal(run.status, 0);
  const lines = run.stderr.trimEnd().split('\n');
  t.equal(lines.length, 4);
  const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const object of objects) {
    t.same(Object.keys(object).slice(0, 3), ['time', 'level', 'msg']);
    t.ok(!Number.isNaN(Date.parse(String(object.time))), 'an ISO time');
  }
  t.same(
    objects.map((o) => [o.level, o.msg]),
    [
      ['info', 'observing'],
      ['debug', 'here: 1/1 probes'],
      ['info', 'observed'],
      ['info', 'reported'],
    ],
  );
  t.match(objects[3], { output: 'json', cells: 1, exitCode: 0 }, 'fields keep their types');
  const eq = await probe(t, ['--log-format=json', '--verbose']);
  t.equal(eq.stderr.trimEnd().split('\n').length, 3, '--log-format=json --verbose: the three steps');
});

t.test('bad logging flags are usage errors (exit 2), before anything runs', async (t) => {
  for (const [argv, message] of [
    [['--log-format', 'yaml', 'probe', 'tcp://127.0.0.1:1'], '"yaml" is not one of text, json'],
    [['probe', 'tcp://127.0.0.1:1', '--log-format'], '"" is not one of text, json'],
    [['probe', '--verbose=7', 'tcp://127.0.0.1:1'], '"7" is not a level from 0 to 3'],
  ] as const) {
    const flag = argv.find((word) => word.startsWith('--'))?.replace(/=.*/, '') ?? '';
    const run = await cli(argv);
    t.same(
      run,
      { status: 2, stdout: '', stderr: `prober: ${flag === '--verbose' ? '-v' : flag}: ${message}\n` },
      argv.join(' '),
    );
  }
});

t.test('-vvv (and -v 3) adds the version and the command line, first', async (t) => {
  for (const flags of [['-vvv'], ['-v', '3']]) {
    const run = await probe(t, flags);
    t.match(
      run.stderr.split('\n')[0],
      /^prober: trace: start version=\S+ node=v\d+\S* argv="probe -o json --settle 0 tcp:/,
    );
    t.equal(logLines(run.stderr).length, 5, `${flags.join(' ')}: start, the steps and a progress message`);
  }
});

t.test('-v 0 logs nothing, and a word after -v is never taken for its level', async (t) => {
  const none = await probe(t, ['-v', '0']);
  t.equal(none.stderr, '');
  // `-v probe`: "probe" is the command, not a level.
  const info = await probe(t, ['-v']);
  t.equal(info.status, 0);
  t.equal(logLines(info.stderr).length, 3);
});
