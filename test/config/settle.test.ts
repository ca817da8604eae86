// The settle window and sctp:// in test files and plans: accepted values, and bad ones refused in one line (exit 2).

import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { validatePlan } from '../../src/config/validators.ts';
import { planFor, plansFor } from '../../src/model/plan.ts';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: settle }
spec:
  defaults:
    timeout: 1s
    settle: 300ms
  sources:
    here: { local: true }
  targets:
    db: { url: "tcp://127.0.0.1:5432", settle: 50ms }
    web: { url: "http://127.0.0.1:9/" }
  expect:
    - { from: here, to: "*", verdict: allow }
`;

t.test('settle is read in the defaults and per target, and 0 in any spelling turns it off', async (t) => {
  const test = parseReachabilityTest('settle.yaml', TEST);
  t.equal(test.defaults.settleMs, 300);
  t.equal(test.targets.find((target) => target.name === 'db')?.settleMs, 50);
  for (const off of ['0', '"0"', '0s', '0ms']) {
    const read = parseReachabilityTest('off.yaml', TEST.replace('settle: 300ms', `settle: ${off}`));
    t.equal(read.defaults.settleMs, 0, `settle: ${off} is off`);
  }
  const unset = parseReachabilityTest('unset.yaml', TEST.replace('    settle: 300ms\n', ''));
  t.equal(unset.defaults.settleMs, undefined, 'no settle: the probe uses its default window');
});

t.test('the plan carries the window to the agent: in its defaults and per probe, 0 included', async (t) => {
  const test = parseReachabilityTest('settle.yaml', TEST.replace('settle: 50ms', 'settle: 0'));
  const [plan] = plansFor(test, test.defaults);
  t.match(plan, { defaults: { settleMs: 300 }, probes: [{ id: 'db', settleMs: 0 }, { id: 'web' }] });
  t.notOk(plan && 'settleMs' in (plan.probes[1] ?? {}), 'a target without its own window inherits the default');
  t.ok(validatePlan(plan), 'the agent accepts the plan');
  const tooLong = planFor('here', [{ name: 'x', url: 'tcp://a:1', settleMs: 6000 }], test.defaults, () => undefined);
  t.notOk(validatePlan(tooLong), 'a plan with a window past 5s is refused by the agent');
  t.notOk(
    validatePlan({ ...tooLong, probes: [], defaults: { ...tooLong.defaults, settleMs: -1 } }),
    'a negative window is refused',
  );
});

/** [name, file text, line, field, message] */
const rows: [string, string, number, string, RegExp][] = [
  [
    'a default window as long as the timeout',
    TEST.replace('settle: 300ms', 'settle: 1s'),
    7,
    'spec.defaults.settle',
    /the settle window 1s must be shorter than the probe timeout 1s/,
  ],
  [
    'a default window past the maximum',
    TEST.replace('settle: 300ms', 'settle: 6s').replace('timeout: 1s', 'timeout: 10s'),
    7,
    'spec.defaults.settle',
    /"6s" is out of range: a settle window is from 0ms to 5s/,
  ],
  [
    'a target window as long as its own timeout',
    TEST.replace('settle: 50ms }', 'settle: 200ms, timeout: 200ms }'),
    11,
    'spec.targets.db.settle',
    /the settle window 200ms must be shorter than its probe timeout 200ms/,
  ],
  [
    'a target timeout the default window does not fit in',
    TEST.replace('settle: 50ms }', 'timeout: 300ms }'),
    11,
    'spec.targets.db.timeout',
    /the settle window 300ms \(spec\.defaults\.settle\) must be shorter than this timeout 300ms/,
  ],
  [
    'a window on a protocol probe',
    TEST.replace('9/" }', '9/", settle: 100ms }'),
    12,
    'spec.targets.web.settle',
    /only applies to tcp:\/\/ targets; http:\/\/ probes judge their own exchange/,
  ],
  [
    'a window that is not a duration',
    TEST.replace('settle: 300ms', 'settle: soon'),
    7,
    'spec.defaults.settle',
    /must be a duration shorter than the timeout \(200ms, 1s\) or 0 to turn the window off/,
  ],
  [
    'an sctp:// target',
    TEST.replace('tcp://127.0.0.1:5432", settle: 50ms', 'sctp://127.0.0.1:38412"'),
    11,
    'spec.targets.db.url',
    /sctp:\/\/ cannot be probed: Node cannot open SCTP sockets \(`prober simulate` models SCTP policies\)$/,
  ],
];

t.test('a bad window or an sctp:// target is one line naming file, line and field, exit 2, nothing run', async (t) => {
  const binary = requireBinary();
  const dir = tempDir(t, 'settle');
  for (const [index, [name, text, line, field, message]] of rows.entries()) {
    const file = join(dir, `bad-${index}.yaml`);
    writeFileSync(file, text);
    const run = spawnSync(binary, ['check', '-f', file], { encoding: 'utf8' });
    t.equal(run.status, 2, `${name}: exit 2`);
    t.equal(run.stdout, '', `${name}: nothing run`);
    const stderr = run.stderr.trimEnd();
    t.equal(stderr.split('\n').length, 1, `${name}: one line (${stderr})`);
    t.match(stderr, `prober: ${file}:${line}: ${field}: `, `${name}: names file, line and field`);
    t.match(stderr, message, `${name}: says what is wrong`);
  }
});

/** Runs the binary without blocking this process, whose own listener must keep answering meanwhile. */
function runBinary(
  binary: string,
  args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('--settle on the command line: 0 turns the window off, a bad value is one usage line, exit 2', async (t) => {
  const binary = requireBinary();
  const closing = createServer((socket) => socket.on('error', () => undefined).end());
  await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => closing.close(() => resolve())));
  const url = `tcp://127.0.0.1:${(closing.address() as AddressInfo).port}`;
  const probe = (...args: string[]) => runBinary(binary, ['probe', '-o', 'json', ...args, url]);
  const cell = (stdout: string) => (JSON.parse(stdout) as { cells: { observed: string; reason: string }[] }).cells[0];
  t.match(cell((await probe()).stdout), { observed: 'deny', reason: 'closed' }, 'the default window sees the FIN');
  t.match(cell((await probe('--settle', '0')).stdout), { observed: 'allow', reason: 'connected' }, '--settle 0: off');
  for (const [args, message] of [
    [['--settle', '6s'], /^prober: --settle: "6s" is out of range: a settle window is from 0ms to 5s\n$/],
    [
      ['--settle', '1s', '--timeout', '1s'],
      /^prober: --settle: the settle window 1s must be shorter than --timeout 1s/,
    ],
  ] as const) {
    const out = await probe(...args);
    t.equal(out.status, 2, `${args.join(' ')}: exit 2`);
    t.match(out.stderr, message, `${args.join(' ')}: one line`);
  }
});
