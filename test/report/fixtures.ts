// A fixed report for renderer tests: every cell result and mark appears once, nothing depends on time.

import { assembleMatrix } from '../../src/model/matrix.ts';
import type { ProbeResult } from '../../src/model/outcome.ts';
import { buildReport, type Report } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest, type TargetSpec } from '../../src/model/test-spec.ts';

function target(name: string, url: string): TargetSpec {
  const parsed = parseTarget(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return { name, address: parsed.value, liveness: 'auto' };
}

const result = (observed: ProbeResult['observed'], reason: ProbeResult['reason'], detail?: string): ProbeResult => ({
  url: 'x',
  observed,
  reason,
  latencyMs: 12.5,
  attempts: observed === 'allow' ? 1 : 2,
  ...(detail ? { detail } : {}),
});

/** Sources apache/app/ingress × targets app/redis/web with a pass, a fail, an error and unchecked cells. */
export function sampleReport(): Report {
  const test: ReachabilityTest = {
    name: 'lab-redis-isolation',
    file: 'expectations.yaml',
    defaults: DEFAULTS,
    sources: [
      { name: 'apache', namespace: 'b-apacherr', selector: { app: 'apacherr' }, local: false },
      { name: 'app', namespace: 'c-app-count', selector: { app: 'pythonapp' }, local: false },
      { name: 'ingress', namespace: 'a-ingress-traefik', selector: { app: 'traefik' }, local: false },
    ],
    targets: [
      target('app', 'http://app-count-svc.c-app-count.svc.cluster.local/healthz'),
      target('redis', 'redis://redis-svc.d-redis.svc.cluster.local:6379'),
      target('web', 'tcp://web.x:80'),
    ],
    rules: [
      { name: 'case 1', from: 'apache', to: 'app', verdict: 'allow' },
      { name: 'case 2', from: 'apache', to: 'redis', verdict: 'deny' },
      { from: 'app', to: 'redis', verdict: 'allow' },
      { from: 'ingress', to: 'redis', verdict: 'deny' },
      { from: '*', to: 'web', verdict: 'allow' },
    ],
    expectFromPolicies: false,
  };
  const results = new Map([
    [
      'apache',
      new Map([
        ['app', result('allow', 'http-200')],
        ['redis', result('allow', 'pong')],
        ['web', result('error', 'dns', 'ENOTFOUND web.x')],
      ]),
    ],
    [
      'app',
      new Map([
        ['app', result('allow', 'http-200')],
        ['redis', result('allow', 'pong')],
        ['web', result('error', 'dns', 'ENOTFOUND web.x')],
      ]),
    ],
    [
      'ingress',
      new Map([
        ['app', result('deny', 'timeout', 'no answer within 2000ms')],
        ['redis', result('deny', 'timeout')],
        ['web', result('error', 'dns')],
      ]),
    ],
  ]);
  const cells = assembleMatrix({ test, observations: { results, sourceErrors: new Map(), alive: new Map() } });
  return buildReport({
    test,
    cells,
    metadata: {
      backend: 'lab',
      context: 'prober-lab',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 2031,
      proberVersion: '0.1.0',
    },
  });
}

/** How a grid report's cells come out: `mismatch` is allowed but expected deny, `error` a failed check. */
export const GRID_SPECIAL = { mismatch: [3, 4], error: [5, 6] } as const;

/**
 * A `size` × `size` report of workloads `ns-K/app-N` (ten per namespace): cell (3, 4) is a mismatch,
 * (5, 6) an error, a few columns denied, the rest allowed with no expectation.
 */
export function gridReport(size: number, nameOf = (i: number) => `ns-${Math.floor(i / 10)}/app-${i}`): Report {
  const names = Array.from({ length: size }, (_, i) => nameOf(i));
  const test: ReachabilityTest = {
    name: `grid-${size}`,
    file: '<memory>',
    defaults: DEFAULTS,
    sources: names.map((name) => ({ name, local: false })),
    targets: names.map((name, i) => target(name, `tcp://w${i}.x:80`)),
    rules: [
      { from: names[GRID_SPECIAL.mismatch[0]]!, to: names[GRID_SPECIAL.mismatch[1]]!, verdict: 'deny' },
      { from: names[GRID_SPECIAL.error[0]]!, to: names[GRID_SPECIAL.error[1]]!, verdict: 'allow' },
    ],
    expectFromPolicies: false,
  };
  const results = new Map(
    names.map((from, i) => [
      from,
      new Map(
        names.map((to, j) => {
          if (i === GRID_SPECIAL.error[0] && j === GRID_SPECIAL.error[1])
            return [to, result('error', 'dns', 'ENOTFOUND')] as const;
          return [
            to,
            j % 7 === 2 && i !== GRID_SPECIAL.mismatch[0] ? result('deny', 'timeout') : result('allow', 'connected'),
          ] as const;
        }),
      ),
    ]),
  );
  const cells = assembleMatrix({ test, observations: { results, sourceErrors: new Map(), alive: new Map() } });
  return buildReport({
    test,
    cells,
    metadata: { backend: 'simulated', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, proberVersion: '0.1.0' },
  });
}
