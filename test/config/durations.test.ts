// Durations out of range, wherever they are given, are one-line errors through the real binary: a
// timeout past Node's timer limit would fire after 1 ms (every probe a false deny), and a fraction of a
// millisecond would round to a zero timeout. A probe timeout has one range everywhere, plans included.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const binary = requireBinary();
const run = (args: string[], input?: string) =>
  spawnSync(binary, args, { encoding: 'utf8', input, cwd: '/', timeout: 30_000 });

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: durations }
spec:
  defaults:
    timeout: 1s
  sources: { here: { local: true } }
  targets:
    web: { url: "tcp://127.0.0.1:9", timeout: 1s, liveness: none }
  expect:
    - { from: here, to: web, verdict: deny }
`;

const RANGE = /is out of range: a probe timeout is from 1ms to 10m$/;

/** [name, file text, line, field, quoted value] */
const fileRows: [string, string, number, string, string][] = [
  [
    'a default timeout past the timer limit',
    TEST.replace('    timeout: 1s', '    timeout: 36000m'),
    6,
    'spec.defaults.timeout',
    '36000m',
  ],
  [
    'a default timeout below a millisecond',
    TEST.replace('    timeout: 1s', '    timeout: 0.4ms'),
    6,
    'spec.defaults.timeout',
    '0.4ms',
  ],
  [
    'a default timeout past ten minutes',
    TEST.replace('    timeout: 1s', '    timeout: 601s'),
    6,
    'spec.defaults.timeout',
    '601s',
  ],
  [
    'a target timeout past the timer limit',
    TEST.replace('timeout: 1s, liveness', 'timeout: 99999999999m, liveness'),
    9,
    'spec.targets.web.timeout',
    '99999999999m',
  ],
];

t.test('test files: a timeout out of range names file, line and field, exit 2, nothing run', async (t) => {
  const dir = tempDir(t, 'durations');
  for (const [index, [name, text, line, field, value]] of fileRows.entries()) {
    const file = join(dir, `d-${index}.yaml`);
    writeFileSync(file, text);
    const out = run(['check', '-f', file]);
    t.equal(out.status, 2, `${name}: exit 2`);
    t.equal(out.stdout, '', `${name}: nothing run`);
    t.equal(
      out.stderr,
      `prober: ${file}:${line}: ${field}: "${value}" is out of range: a probe timeout is from 1ms to 10m\n`,
      name,
    );
  }
  const edge = join(dir, 'edge.yaml');
  writeFileSync(
    edge,
    TEST.replace('    timeout: 1s', '    timeout: 10m').replace('timeout: 1s, liveness', 'timeout: 1ms, liveness'),
  );
  const ok = run(['check', '-f', edge, '-o', 'json']);
  t.equal(ok.status, 0, `the bounds themselves are accepted: ${ok.stderr}`);
});

/** [name, argv, flag, quoted value, what the range is] */
const flagRows: [string, string[], string, RegExp][] = [
  ['--timeout past the timer limit', ['probe', '--timeout', '36000m', 'tcp://127.0.0.1:9'], '--timeout', RANGE],
  ['--timeout below a millisecond', ['probe', '--timeout', '0.4ms', 'tcp://127.0.0.1:9'], '--timeout', RANGE],
  ['--timeout of zero', ['check', '-f', '/nonexistent.yaml', '--timeout', '0s'], '--timeout', RANGE],
  [
    '--agent-timeout past a day',
    ['run', '-f', '/nonexistent.yaml', '--agent-timeout', '1441m'],
    '--agent-timeout',
    /is out of range: an agent timeout is from 1s to 24h$/,
  ],
  [
    '--client-timeout past an hour',
    ['agent', '--listen', '/nonexistent/agent.sock', '--client-timeout', '61m'],
    '--client-timeout',
    /is out of range: a client timeout is from 1ms to 1h$/,
  ],
];

t.test('flags: a duration out of range is a one-line usage error, exit 2', async (t) => {
  for (const [name, argv, flag, message] of flagRows) {
    const out = run(argv);
    t.equal(out.status, 2, `${name}: exit 2`);
    t.equal(out.stderr.split('\n').length, 2, `${name}: one line`);
    t.match(out.stderr, new RegExp(`^prober: ${flag}: "[^"]+" `), `${name}: names the flag and value`);
    t.match(out.stderr.trimEnd(), message, name);
  }
});

t.test('plans: timeoutMs is held to the same range as --timeout and test files', async (t) => {
  const plan = (timeoutMs: number) =>
    JSON.stringify({
      apiVersion: 'prober/v1alpha1',
      kind: 'ProbePlan',
      source: 'here',
      defaults: { timeoutMs, attempts: 1, concurrency: 1 },
      probes: [{ id: 'a', url: 'dns://localhost' }],
    });
  const over = run(['agent'], plan(600_001));
  t.equal(over.status, 2);
  t.match(over.stderr, /^prober: <stdin>:1: defaults\.timeoutMs: must be <= 600000\n$/);
  const edge = run(['agent'], plan(600_000));
  t.equal(edge.status, 0, edge.stderr);
  t.match(edge.stdout, /"kind":"AgentDone"/);
});
