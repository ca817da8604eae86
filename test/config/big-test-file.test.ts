// A ReachabilityTest with 5,000 targets: it loads with every line right, and messages about it stay one short line.
// How the load time grows with the number of targets is measured in the benchmark (bench/policy.ts).
import t from 'tap';
import type { ConfigError } from '../../src/config/config-error.ts';
import { parseReachabilityTest } from '../../src/config/load-test.ts';

const COUNT = 5_000;

t.test(`a test file with ${COUNT} targets loads, each target at its own line`, async (t) => {
  const count = COUNT;
  const targets = Array.from(
    { length: count },
    (_, i) => `    t${i}: {url: "tcp://10.0.${(i >> 8) & 255}.${i & 255}:${1 + (i % 60000)}"}`,
  );
  const head =
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: big}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n';
  const rules = `  expect:\n    - {from: here, to: "*", verdict: deny}\n    - {name: "the last one", from: here, to: t${count - 1}, verdict: allow}\n`;
  const text = `${head}${targets.join('\n')}\n${rules}`;
  const test = parseReachabilityTest('big.yaml', text);
  t.equal(test.targets.length, count);
  t.same(test.targets.at(-1)?.origin, { file: 'big.yaml', line: 8 + count - 1 });
  t.same(test.rules.at(-1)?.origin, { file: 'big.yaml', line: 8 + count + 2 });
  const bad = text.replace(`t${count - 2}: {url: "tcp://`, `t${count - 2}: {url: "ftp://`);
  const error = t.throws(() => parseReachabilityTest('big.yaml', bad)) as unknown as ConfigError;
  t.match(
    error.toString(),
    new RegExp(`^big\\.yaml:${8 + count - 2}: spec\\.targets\\.t${count - 2}\\.url: unsupported scheme "ftp"`),
  );
});

t.test(`a rule naming no target lists a few known names, not ${COUNT}`, async (t) => {
  const targets = Array.from({ length: COUNT }, (_, i) => `    t${i}: {url: "tcp://127.0.0.1:9"}`).join('\n');
  const text = `apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: big}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n${targets}\n  expect:\n    - {from: here, to: nope, verdict: deny}\n`;
  const error = t.throws(() => parseReachabilityTest('big.yaml', text)) as unknown as ConfigError;
  t.equal(
    error.toString(),
    `big.yaml:${COUNT + 9}: spec.expect[0].to: "nope" matches no target (known: t0, t1, t2, t3, t4 and ${COUNT - 5} more)`,
  );
});

t.test('a bad target name of 1 MB is named at its own line, cut short in a one-line message', async (t) => {
  const name = `${'x'.repeat(1_000_000)}!`;
  const targets = Array.from({ length: COUNT }, (_, i) => `    t${i}: {url: "tcp://127.0.0.1:9"}`).join('\n');
  const head =
    'apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: big}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n';
  // An implicit key is at most 1024 characters (YAML 1.2, 7.4.2): a longer one is an explicit `? key`.
  const text = `${head}${targets}\n    ? ${name}\n    : {url: "tcp://127.0.0.1:9"}\n  expect:\n    - {from: here, to: t1, verdict: deny}\n`;
  const error = t.throws(() => parseReachabilityTest('big.yaml', text)) as unknown as ConfigError;
  const message = error.toString();
  t.ok(message.length < 300, `${message.length} characters`);
  t.match(message, new RegExp(`^big\\.yaml:${8 + COUNT}: spec\\.targets: "x{50,}…" is not a valid name \\(letters`));
  t.notMatch(message, /\n/);
});

t.test('a wrong value of 1 MB is cut short too', async (t) => {
  const text = `apiVersion: prober/v1alpha1\nkind: ReachabilityTest\nmetadata: {name: big}\nspec:\n  sources:\n    here: {local: true}\n  targets:\n    web: {url: "tcp://127.0.0.1:9", timeout: "${'9'.repeat(1_000_000)}h"}\n  expect:\n    - {from: here, to: web, verdict: deny}\n`;
  const error = t.throws(() => parseReachabilityTest('big.yaml', text)) as unknown as ConfigError;
  t.ok(error.toString().length < 300, `${error.toString().length} characters`);
  t.match(error.toString(), /^big\.yaml:8: spec\.targets\.web\.timeout: "9{50,}…" /);
});
