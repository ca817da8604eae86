// The matrix: judging cells, the trust rules (denies need a live target), three-way disagreement, exit codes.

import t from 'tap';
import { assembleMatrix, type ModelVerdict, type Observations, provenAlive } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { buildReport, exitCodeFor, summarize } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest, type TargetSpec } from '../../src/model/test-spec.ts';

function target(name: string, url: string, liveness: 'auto' | 'none' = 'auto'): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name, address: parsed.value, liveness };
}

const test: ReachabilityTest = {
  name: 'lab',
  file: 'lab.yaml',
  defaults: DEFAULTS,
  sources: [
    { name: 'apache', namespace: 'b', local: false },
    { name: 'app', namespace: 'c', local: false },
  ],
  targets: [target('redis', 'redis://redis:6379'), target('web', 'http://web/')],
  rules: [
    { name: 'case 2', from: 'apache', to: 'redis', verdict: 'deny' },
    { from: 'app', to: 'redis', verdict: 'allow' },
    { from: '*', to: 'web', verdict: 'allow' },
  ],
  expectFromPolicies: false,
};

const r = (observed: ProbeResult['observed'], reason: ProbeResult['reason']): ProbeResult => ({
  url: 'x',
  observed,
  reason,
  latencyMs: 1,
  attempts: 1,
});

function observations(
  rows: Record<string, Record<string, ProbeResult>>,
  extra: Partial<Observations> = {},
): Observations {
  return {
    results: new Map(Object.entries(rows).map(([s, row]) => [s, new Map(Object.entries(row))])),
    sourceErrors: extra.sourceErrors ?? new Map(),
    alive: extra.alive ?? new Map(),
    ...(extra.down ? { down: extra.down } : {}),
  };
}

const cell = (cells: ReturnType<typeof assembleMatrix>, from: string, to: string) =>
  cells.find((c) => c.from === from && c.to === to);

t.test('every cell matches: pass, exit 0', async (t) => {
  const cells = assembleMatrix({
    test,
    observations: observations({
      apache: { redis: r('deny', 'timeout'), web: r('allow', 'http-200') },
      app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
    }),
  });
  t.same(
    cells.map((c) => c.result),
    ['pass', 'pass', 'pass', 'pass'],
  );
  t.match(cell(cells, 'apache', 'redis'), { rule: 'case 2', expected: 'deny', observed: 'deny', reason: 'timeout' });
  t.equal(exitCodeFor(summarize(cells)), 0);
});

t.test('a mismatch fails the cell and gives exit 1', async (t) => {
  const cells = assembleMatrix({
    test,
    observations: observations({
      apache: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
      app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
    }),
  });
  t.match(cell(cells, 'apache', 'redis'), {
    result: 'fail',
    explanation: /expected deny by case 2, observed allow \(pong\)/,
  });
  t.equal(exitCodeFor(summarize(cells)), 1);
});

t.test('trust rule: a deny on a target nobody reached is an error, not a deny', async (t) => {
  const rows = {
    apache: { redis: r('deny', 'timeout'), web: r('allow', 'http-200') },
    app: { redis: r('deny', 'refused'), web: r('allow', 'http-200') },
  };
  const cells = assembleMatrix({ test, observations: observations(rows) });
  t.match(cell(cells, 'apache', 'redis'), {
    result: 'error',
    observed: 'error',
    reason: 'target-down',
    detail: /saw timeout/,
  });
  t.equal(exitCodeFor(summarize(cells)), 2, 'error dominates');
  const proven = assembleMatrix({
    test,
    observations: observations(rows, { alive: new Map([['redis', 'endpoints ready: 1']]) }),
  });
  t.match(cell(proven, 'apache', 'redis'), { result: 'pass', observed: 'deny' });
  t.match(cell(proven, 'app', 'redis'), { result: 'fail', observed: 'deny', reason: 'refused' });
  t.equal(exitCodeFor(summarize(proven)), 1);
});

t.test('trust rule 2: a refused connection proves nothing alive, so an unproven refused is an error', async (t) => {
  // A RST to the SYN comes from a policy that rejects and from a port nobody listens on alike.
  const rows = {
    apache: { redis: r('deny', 'refused'), web: r('deny', 'refused') },
    app: { redis: r('deny', 'refused'), web: r('allow', 'http-200') },
  };
  const seen = observations(rows);
  t.same([...provenAlive(seen)], [['web', 'reached by app']], 'only an allow proves a target alive');
  const cells = assembleMatrix({ test, observations: seen });
  for (const from of ['apache', 'app']) {
    t.match(
      cell(cells, from, 'redis'),
      {
        result: 'error',
        observed: 'error',
        reason: 'target-down',
        detail: 'saw refused, but nothing proved redis alive in this run',
      },
      `${from} → redis`,
    );
    // The way out is named where the cell is explained: a source that reaches it, or liveness: none.
    t.match(cell(cells, from, 'redis')?.detail, /liveness: none/, `${from} → redis hints at liveness`);
  }
  t.match(cell(cells, 'apache', 'web'), { result: 'fail', observed: 'deny', reason: 'refused' }, 'web was reached');
  t.equal(exitCodeFor(summarize(cells)), 2, 'the run cannot decide');
});

t.test('trust rule: a target the backend proved down turns denies into errors with its reason', async (t) => {
  const rows = {
    apache: { redis: r('deny', 'timeout'), web: r('allow', 'http-200') },
    app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
  };
  const down = new Map([['redis', 'Service d-redis/redis-svc has no ready endpoints']]);
  const cells = assembleMatrix({ test, observations: observations(rows, { down }) });
  t.match(cell(cells, 'apache', 'redis'), {
    result: 'error',
    reason: 'target-down',
    detail: /^Service d-redis\/redis-svc has no ready endpoints; saw timeout/,
  });
  t.match(cell(cells, 'app', 'redis'), { result: 'pass', observed: 'allow' }, 'an allow stays an allow');
});

t.test('trust rule: liveness none trusts a deny; an HTTP deny proves itself', async (t) => {
  const local: ReachabilityTest = {
    ...test,
    targets: [target('redis', 'redis://redis:6379', 'none'), target('web', 'http://web/')],
    rules: [{ from: '*', to: '*', verdict: 'deny' }],
  };
  const cells = assembleMatrix({
    test: local,
    observations: observations({
      apache: { redis: r('deny', 'refused'), web: r('deny', 'http-403') },
      app: { redis: r('deny', 'refused'), web: r('deny', 'http-403') },
    }),
  });
  t.same(
    cells.map((c) => c.result),
    ['pass', 'pass', 'pass', 'pass'],
  );
});

t.test('a source that could not probe makes its cells errors with the reason', async (t) => {
  const cells = assembleMatrix({
    test,
    observations: observations(
      { app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') } },
      { sourceErrors: new Map([['apache', 'no Ready pod matches app=apacherr']]) },
    ),
  });
  t.match(cell(cells, 'apache', 'web'), {
    result: 'error',
    observed: 'error',
    reason: 'source',
    detail: 'no Ready pod matches app=apacherr',
  });
  t.equal(exitCodeFor(summarize(cells)), 2);
});

t.test('cells no rule names are unchecked; nothing checked is exit 2', async (t) => {
  const bare: ReachabilityTest = { ...test, rules: [] };
  const cells = assembleMatrix({ test: bare, observations: observations({ apache: { redis: r('allow', 'pong') } }) });
  t.same(new Set(cells.map((c) => c.result)), new Set(['unchecked']));
  t.equal(exitCodeFor(summarize(cells)), 2);
});

t.test('an unchecked cell keeps what was observed: its detail and its family', async (t) => {
  const bare: ReachabilityTest = { ...test, rules: [] };
  const detailed = { ...r('deny', 'refused'), detail: 'connect ECONNREFUSED' };
  const cells = assembleMatrix({
    test: bare,
    observations: observations({ apache: { redis: r('allow', 'pong'), web: detailed } }),
  });
  // Every field, in the order the JSON report writes them.
  t.strictSame(
    JSON.stringify(cell(cells, 'apache', 'redis')),
    JSON.stringify({
      from: 'apache',
      to: 'redis',
      url: 'redis://redis',
      expected: null,
      rule: null,
      observed: 'allow',
      reason: 'pong',
      latencyMs: 1,
      attempts: 1,
      result: 'unchecked',
      explanation: 'no rule names this cell',
    }),
  );
  t.match(cell(cells, 'apache', 'web'), { result: 'unchecked', detail: 'connect ECONNREFUSED' });
  const familied: ReachabilityTest = {
    ...bare,
    targets: [{ ...target('redis (IPv6)', 'redis://redis:6379'), family: 'ipv6', written: 'redis' }],
  };
  const v6 = assembleMatrix({
    test: familied,
    observations: observations({ apache: { 'redis (IPv6)': r('allow', 'pong') } }),
  });
  t.match(cell(v6, 'apache', 'redis (IPv6)'), { family: 'ipv6', result: 'unchecked' }, 'the family is kept');
});

t.test('three-way: the odd one out among observed, intent and model is named', async (t) => {
  const model = new Map<string, Map<string, ModelVerdict>>([
    [
      'apache',
      new Map([
        ['redis', { verdict: 'allow', explanation: ['no policy isolates redis'] }],
        ['web', { verdict: 'allow', explanation: [] }],
      ]),
    ],
    [
      'app',
      new Map([
        ['redis', { verdict: 'allow', explanation: [] }],
        ['web', { verdict: 'loopback', explanation: [] }],
      ]),
    ],
  ]);
  const rows = {
    apache: { redis: r('deny', 'timeout'), web: r('allow', 'http-200') },
    app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
  };
  const cells = assembleMatrix({ test, observations: observations(rows), model });
  t.match(cell(cells, 'apache', 'redis'), {
    result: 'fail',
    disagreement: 'model',
    explanation: /policy model says allow/,
  });
  t.match(cell(cells, 'app', 'redis'), { result: 'pass' });
  t.match(cell(cells, 'app', 'web'), { result: 'pass', model: { verdict: 'loopback' } });
  const modelOnly = assembleMatrix({
    test: { ...test, rules: [], expectFromPolicies: true },
    observations: observations(rows),
    model,
  });
  t.match(cell(modelOnly, 'apache', 'redis'), { result: 'fail', expected: 'allow', rule: 'policy model' });
  t.match(cell(modelOnly, 'app', 'web'), { result: 'unchecked', explanation: /itself/ });
});

t.test('the report carries summary and exit code', async (t) => {
  const seen = observations({
    apache: { redis: r('deny', 'timeout'), web: r('allow', 'http-200') },
    app: { redis: r('allow', 'pong'), web: r('allow', 'http-200') },
  });
  const cells = assembleMatrix({ test, observations: seen });
  const report = buildReport({
    test,
    cells,
    metadata: { backend: 'lab', startedAt: new Date(0).toISOString(), durationMs: 5, proberVersion: '0' },
    alive: provenAlive(seen),
  });
  t.match(report, {
    apiVersion: 'prober/v1alpha1',
    kind: 'ReachabilityReport',
    exitCode: 0,
    summary: { cells: 4, checked: 4, pass: 4 },
  });
  t.same(
    report.targets.map((x) => x.alive),
    ['reached by app', 'reached by apache'],
  );
});

t.test(
  'trust rule 2 for DNS: REFUSED is an answer and proves itself, silence from an unproven server does not',
  async (t) => {
    const dnsTest: ReachabilityTest = {
      ...test,
      targets: [target('dns', 'dns://kubernetes.default?over=udp')],
      rules: [{ from: '*', to: 'dns', verdict: 'deny' }],
    };
    const cells = assembleMatrix({
      test: dnsTest,
      observations: observations({
        apache: { dns: r('deny', 'dns-refused') },
        app: { dns: r('deny', 'timeout') },
      }),
    });
    t.match(cell(cells, 'apache', 'dns'), { observed: 'deny', reason: 'dns-refused', result: 'pass' });
    t.match(cell(cells, 'app', 'dns'), { observed: 'error', reason: 'target-down', result: 'error' });
  },
);
