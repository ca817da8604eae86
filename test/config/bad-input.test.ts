// Bad ReachabilityTest files: one line naming file:line and field, exit 2, nothing run. The files go through
// the CLI in this process (`prober check -f FILE`); the missing file and bad flags through the real binary.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli-in-process.ts';
import { requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const GOOD = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata:
  name: demo
spec:
  defaults:
    timeout: 1s
    attempts: 1
  sources:
    here: { local: true }
  targets:
    web: { url: "http://127.0.0.1:9/" }
    cache: { url: "redis://127.0.0.1:9" }
  expect:
    - { name: "case 1", from: here, to: web, verdict: allow }
    - { from: "*", to: cache, verdict: deny }
`;

/** [name, file text, expected line, expected field (or null), message pattern] */
const rows: [string, string, number | null, string | null, RegExp][] = [
  [
    'unknown top-level field',
    GOOD.replace('kind: ReachabilityTest', 'kind: ReachabilityTest\nextra: 1'),
    3,
    'extra',
    /unknown field "extra"/,
  ],
  [
    'wrong kind',
    GOOD.replace('kind: ReachabilityTest', 'kind: NetworkPolicy'),
    2,
    'kind',
    /must be "ReachabilityTest"/,
  ],
  [
    'a NetworkPolicy passed as a test: the kind is named, not its spec fields',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: x }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`,
    2,
    'kind',
    /must be "ReachabilityTest", not "NetworkPolicy" \(a Kubernetes object: policies and workloads go to prober simulate -f or prober lint -f\)/,
  ],
  [
    'a bare number as a duration shows an example',
    GOOD.replace('timeout: 1s', 'timeout: 1'),
    7,
    'spec.defaults.timeout',
    /1 is not a duration \(write e\.g\. 500ms, 2s, 1m30s or 2h\)/,
  ],
  [
    'a port out of range says so',
    GOOD.replace('redis://127.0.0.1:9', 'tcp://x:70000'),
    13,
    'spec.targets.cache.url',
    /port 70000 is out of range 1–65535/,
  ],
  [
    'wrong apiVersion',
    GOOD.replace('prober/v1alpha1', 'prober/v2'),
    1,
    'apiVersion',
    /must be one of "prober\.dev\/v1alpha1", "prober\/v1alpha1"/,
  ],
  [
    'missing metadata.name',
    GOOD.replace('  name: demo\n', '  labels: {}\n'),
    4,
    'metadata',
    /missing required field "name"/,
  ],
  ['bad duration', GOOD.replace('timeout: 1s', 'timeout: 1 second'), 7, 'spec.defaults.timeout', /not a duration/],
  ['attempts out of range', GOOD.replace('attempts: 1', 'attempts: 0'), 8, 'spec.defaults.attempts', /must be >= 1/],
  [
    'unknown field in a target',
    GOOD.replace('web: { url: "http://127.0.0.1:9/" }', 'web: { url: "http://127.0.0.1:9/", retries: 3 }'),
    12,
    'spec.targets.web.retries',
    /unknown field "retries"/,
  ],
  [
    'unsupported URL scheme',
    GOOD.replace('redis://127.0.0.1:9', 'ftp://127.0.0.1:9'),
    13,
    'spec.targets.cache.url',
    /unsupported scheme "ftp"/,
  ],
  [
    'tcp URL without port',
    GOOD.replace('redis://127.0.0.1:9', 'tcp://127.0.0.1'),
    13,
    'spec.targets.cache.url',
    /need a port/,
  ],
  [
    'dns server that is not an IP address',
    GOOD.replace('redis://127.0.0.1:9', 'dns://kube-dns.kube-system?server=kube-dns&over=udp'),
    13,
    'spec.targets.cache.url',
    /server "kube-dns" is not an IP address/,
  ],
  [
    'dns target with an unknown parameter',
    GOOD.replace('redis://127.0.0.1:9', 'dns://a.test?server=10.0.0.1:53&proto=tcp'),
    13,
    'spec.targets.cache.url',
    /unknown dns:\/\/ parameter "proto"/,
  ],
  [
    'URL that is not a URL',
    GOOD.replace('redis://127.0.0.1:9', 'redis 127.0.0.1'),
    13,
    'spec.targets.cache.url',
    /not a URL/,
  ],
  [
    'missing url',
    GOOD.replace('web: { url: "http://127.0.0.1:9/" }', 'web: { timeout: 1s }'),
    12,
    'spec.targets.web',
    /missing required field "url"/,
  ],
  [
    'bad verdict',
    GOOD.replace('verdict: deny', 'verdict: drop'),
    16,
    'spec.expect[1].verdict',
    /must be one of "allow", "deny"/,
  ],
  [
    'rule naming an unknown target',
    GOOD.replace('to: web', 'to: webb'),
    15,
    'spec.expect[0].to',
    /"webb" matches no target/,
  ],
  [
    'rule naming an unknown source',
    GOOD.replace('from: here', 'from: there'),
    15,
    'spec.expect[0].from',
    /"there" matches no source/,
  ],
  [
    'duplicate target name',
    GOOD.replace('    cache: {', '    web: { url: "tcp://a:1" }\n    cache: {'),
    13,
    null,
    /Map keys must be unique/,
  ],
  [
    'conflicting equal rules',
    GOOD.replace('  expect:\n', '  expect:\n    - { from: here, to: "*", verdict: allow }\n'),
    17,
    'spec.expect',
    /equally specific and disagree on here → cache/,
  ],
  [
    'expect is neither list nor fromPolicies',
    GOOD.replace(/ {2}expect:\n[\s\S]*$/, '  expect: fromPolicy\n'),
    14,
    'spec.expect',
    /list of rules .* or the word "fromPolicies"/,
  ],
  ['invalid YAML', GOOD.replace('    here: { local: true }', '    here: { local: true'), null, null, /invalid YAML/],
  [
    'expectStatus on a redis target',
    GOOD.replace('cache: { url: "redis://127.0.0.1:9" }', 'cache: { url: "redis://127.0.0.1:9", expectStatus: 200 }'),
    13,
    'spec.targets.cache.expectStatus',
    /only applies to http/,
  ],
  [
    'a payload on a redis target',
    GOOD.replace('cache: { url: "redis://127.0.0.1:9" }', 'cache: { url: "redis://127.0.0.1:9", payload: "hi" }'),
    13,
    'spec.targets.cache.payload',
    /only applies to udp targets, not redis:\/\//,
  ],
  [
    'a payloadHex that is not hex',
    GOOD.replace('cache: { url: "redis://127.0.0.1:9" }', 'cache: { url: "udp://127.0.0.1:9", payloadHex: "0g" }'),
    13,
    'spec.targets.cache.payloadHex',
    /is not hex/,
  ],
  [
    'a payload longer than one unfragmented datagram',
    GOOD.replace(
      'cache: { url: "redis://127.0.0.1:9" }',
      `cache: { url: "udp://127.0.0.1:9", payload: "${'é'.repeat(601)}" }`,
    ),
    13,
    'spec.targets.cache.payload',
    /is 1202 bytes; a UDP payload may hold at most 1200/,
  ],
  [
    'both payload forms',
    GOOD.replace(
      'cache: { url: "redis://127.0.0.1:9" }',
      'cache: { url: "udp://127.0.0.1:9", payload: "a", payloadHex: "61" }',
    ),
    13,
    'spec.targets.cache.payloadHex',
    /either payload \(text\) or payloadHex \(binary\), not both/,
  ],
  [
    'bad status class',
    GOOD.replace('web: { url: "http://127.0.0.1:9/" }', 'web: { url: "http://127.0.0.1:9/", expectStatus: "2XX" }'),
    12,
    'spec.targets.web.expectStatus',
    /status/,
  ],
  // A selector alone is fine for the loader (`prober run` takes the namespace from -n or the kubeconfig).
  [
    'source with neither namespace, selector nor local',
    GOOD.replace('here: { local: true }', 'here: {}'),
    10,
    'spec.sources.here',
    /needs a namespace and\/or a selector/,
  ],
  [
    'unknown IP family',
    GOOD.replace('web: { url: "http://127.0.0.1:9/" }', 'web: { url: "http://127.0.0.1:9/", family: ipv5 }'),
    12,
    'spec.targets.web.family',
    /ipv4.*ipv6.*both/,
  ],
  [
    'a dns:// type that contradicts the family',
    GOOD.replace('cache: { url: "redis://127.0.0.1:9" }', 'cache: { url: "dns://a.test?type=A", family: ipv6 }'),
    13,
    'spec.targets.cache.family',
    /family ipv6 asks for AAAA records, but the URL asks type=A/,
  ],
  [
    'a dns:// type with family both',
    GOOD.replace('cache: { url: "redis://127.0.0.1:9" }', 'cache: { url: "dns://a.test?type=AAAA", family: both }'),
    13,
    'spec.targets.cache.family',
    /family both asks for A and AAAA in turn/,
  ],
  ['empty file', '', 1, null, /no YAML document/],
  ['two documents', `${GOOD}---\n${GOOD}`, 18, null, /one YAML document/],
  ['a list instead of a map', '- a\n- b\n', 1, null, /must be object/],
];

t.test('each malformed file is rejected in one line with file, line and field, exit 2', async (t) => {
  const dir = tempDir(t, 'bad');
  t.ok(rows.length >= 15, `${rows.length} malformed files`);
  for (const [index, [name, text, line, field, message]] of rows.entries()) {
    const file = join(dir, `bad-${index}.yaml`);
    writeFileSync(file, text);
    const run = await cli(['check', '-f', file]);
    const stderr = run.stderr.trimEnd();
    t.equal(run.status, 2, `${name}: exit 2`);
    t.equal(run.stdout, '', `${name}: nothing run, nothing printed on stdout`);
    t.equal(stderr.split('\n').length, 1, `${name}: one line (${stderr})`);
    t.notMatch(stderr, /\n\s+at /, `${name}: no stack trace`);
    const where = line === null ? `${file}:\\d+` : `${file}:${line}`;
    t.match(
      stderr,
      new RegExp(`^prober: ${where}: ${field ? `${field.replace(/[[\].]/g, '\\$&')}: ` : ''}`),
      `${name}: names file, line and field`,
    );
    t.match(stderr, message, `${name}: says what is wrong`);
  }
});

t.test('a missing file and a bad flag are one-line errors too', async (t) => {
  const binary = requireBinary();
  const missing = spawnSync(binary, ['check', '-f', '/nonexistent/test.yaml'], { encoding: 'utf8' });
  t.equal(missing.status, 2);
  t.match(missing.stderr, /^prober: \/nonexistent\/test\.yaml: no such file\n$/);
  const flag = spawnSync(binary, ['probe', '--timeout', 'soon', 'tcp://127.0.0.1:9'], { encoding: 'utf8' });
  t.equal(flag.status, 2);
  t.match(flag.stderr, /^prober: --timeout: "soon" is not a duration/);
  const url = spawnSync(binary, ['probe', 'gopher://x'], { encoding: 'utf8' });
  t.equal(url.status, 2);
  t.match(url.stderr, /argument 1: unsupported scheme "gopher"/);
});
