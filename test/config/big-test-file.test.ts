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
