// Usage errors commander itself finds (unknown option or command, missing -f, a bad choice) exit 2, not 1.

import t from 'tap';
import { startBinary } from '../helpers/prober.ts';

// The hint commander prints after its own one-line error (showHelpAfterError in program.ts).
const HINT = '(run with --help for usage)';

/**
 * Each row is a command line commander rejects before any action runs. Exit 1 would tell CI "a
 * mismatch was observed", which nothing observed: a usage error is "could not decide", exit 2.
 */
const ROWS: readonly { readonly name: string; readonly args: readonly string[]; readonly error: string }[] = [
  { name: 'unknown option', args: ['check', '-f', 'test.yaml', '--bogus'], error: "unknown option '--bogus'" },
  { name: 'unknown option before any command', args: ['--bogus'], error: "unknown option '--bogus'" },
  { name: 'unknown command', args: ['bogus'], error: "unknown command 'bogus'" },
  { name: 'unknown lab subcommand', args: ['lab', 'bogus'], error: "unknown command 'bogus'" },
  { name: 'missing required -f', args: ['check'], error: "required option '-f, --file <test.yaml>' not specified" },
  {
    name: 'missing required -f of run',
    args: ['run'],
    error: "required option '-f, --file <test.yaml>' not specified",
  },
  { name: '-f without its value', args: ['check', '-f'], error: "option '-f, --file <test.yaml>' argument missing" },
  { name: 'missing argument', args: ['probe'], error: "missing required argument 'url'" },
  {
    name: 'bad choice of -o',
    args: ['check', '-f', 'test.yaml', '-o', 'xml'],
    error:
      "option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json, junit, markdown, svg, html.",
  },
  {
    name: 'a mistyped required option: the typo, with what was meant, not the missing option',
    args: ['check', '--fle', 'test.yaml'],
    error: "unknown option '--fle'\n(Did you mean --file?)",
  },
  {
    name: 'a mistyped option of run, whose -f is required too',
    args: ['run', '--fiel', 'test.yaml'],
    error: "unknown option '--fiel'\n(Did you mean --file?)",
  },
  {
    name: 'bad choice of --agent',
    args: ['run', '-f', 'test.yaml', '--agent', 'nope'],
    error: "option '--agent <mode>' argument 'nope' is invalid. Allowed choices are auto, ephemeral, pod, resident.",
  },
];

for (const row of ROWS) {
  t.test(`${row.name}: exit 2 and one line saying what is wrong`, async (t) => {
    const { code, signal, stdout, stderr } = await startBinary(t, row.args).exited;
    t.equal(signal, null, 'not killed');
    t.equal(code, 2, `prober ${row.args.join(' ')} exits 2 (could not decide), never 1 (a mismatch)`);
    t.equal(stdout, '', 'nothing on stdout, where a report would go');
    t.equal(stderr, `error: ${row.error}\n${HINT}\n`, 'the error on one line, then the hint; no help text, no stack');
  });
}

/** `-n` is a namespace: a DNS-1123 label, as the API server's ValidateNamespaceName wants it. */
for (const args of [
  ['simulate', '-f', 'x.yaml', '-n', 'Bad_NS'],
  ['lint', '-f', 'x.yaml', '--namespace', 'Bad_NS'],
  ['run', '-f', 'x.yaml', '-n', 'Bad_NS'],
]) {
  t.test(`${args[0]} -n Bad_NS: one line, exit 2, before any file is read`, async (t) => {
    const { code, stdout, stderr } = await startBinary(t, args).exited;
    t.equal(code, 2);
    t.equal(stdout, '');
    t.equal(
      stderr,
      `prober: -n: "Bad_NS" is not a namespace: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')\n`,
    );
  });
}

t.test('prober help COMMAND…: the help of that command, exit 0', async (t) => {
  for (const [args, usage] of [
    [['help', 'lab', 'up'], /^Usage: prober lab up /],
    [['help', 'check'], /^Usage: prober check /],
    [['help', 'lab'], /^Usage: prober lab /],
  ] as const) {
    const { code, stdout } = await startBinary(t, args).exited;
    t.equal(code, 0, args.join(' '));
    t.match(stdout, usage);
  }
});
