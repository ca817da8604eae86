// `lab test` running zone-affinity checks from every Pippo pod of examples/zone-affinity/ (10 pods,
// 6 Paperino pods, two zones), each pod's requests sent by `prober agent --affinity -` in its own
// namespace. The default rule is the Kubernetes e2e test's (test/e2e/network/traffic_distribution.go,
// checkTrafficDistribution); the lab routes as kube-proxy does (pkg/proxy/topology.go), so PreferClose
// is met, a Service without it is not, and a drained zone falls back to the other.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { lab, labName, labUp } from '../helpers/lab.ts';
import { ROOT, startBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const EXAMPLE = join(ROOT, 'examples', 'zone-affinity');
const EXPECTATIONS = join(EXAMPLE, 'expectations.yaml');

interface JsonSource {
  readonly pod: string;
  readonly zone?: string;
  readonly sent: number;
  readonly answered: number;
  readonly byZone: Record<string, number>;
  readonly verdict: string;
  readonly why: string;
}
interface JsonCheck {
  readonly name: string;
  readonly verdict: string;
  readonly setting?: string;
  readonly why?: string;
  readonly sources: readonly JsonSource[];
}

const name = labName();
labUp(t, name, [EXAMPLE]);
const dir = tempDir(t, 'affinity-check');

/** A test file of the example's source and targets with these checks (YAML lines under `checks:`). */
function testFile(file: string, checks: string): string {
  const path = join(dir, file);
  const head = readFileSync(EXPECTATIONS, 'utf8').split('  checks:\n')[0];
  writeFileSync(path, `${head}  checks:\n${checks}`);
  return path;
}

/** `lab test -f FILE -o json`: its exit code and checks, the report checked against its schema. */
function labTest(t: Test, file: string): { status: number | null; checks: JsonCheck[]; stderr: string } {
  const out = lab(['test', '--name', name, '-f', file, '-o', 'json']);
  const report = JSON.parse(out.stdout) as { checks: JsonCheck[] };
  t.same(reportSchemaErrors(report), [], 'the report matches its schema');
  return { status: out.status, checks: report.checks, stderr: out.stderr };
}

t.test('PreferClose: each Pippo pod is answered by its own zone only; spread without it; exit 0', async (t) => {
  const { status, checks } = labTest(t, EXPECTATIONS);
  t.equal(status, 0);
  const [close, anywhere] = checks;
  t.equal(close?.verdict, 'met');
  t.equal(close?.setting, 'zones/paperino has trafficDistribution: PreferClose');
  t.equal(close?.sources.length, 10);
  for (const source of close?.sources ?? []) t.same(source.byZone, { [source.zone ?? '']: 100 }, source.pod);
  t.equal(anywhere?.verdict, 'met');
  for (const source of anywhere?.sources ?? []) t.same(Object.keys(source.byZone).sort(), ['zone-a', 'zone-b']);
});

t.test('the default rule on the Service without trafficDistribution: not met, exit 1', async (t) => {
  const file = testFile(
    'anywhere.yaml',
    '    anywhere:\n      affinity: { from: pippo, to: paperino-anywhere, requests: 100 }\n',
  );
  const { status, checks } = labTest(t, file);
  t.equal(status, 1);
  t.equal(checks[0]?.verdict, 'not-met');
  t.match(checks[0]?.setting, /has no trafficDistribution .*affinity is not asked for/);
  t.match(checks[0]?.sources[0]?.why, /outside the 3 ready endpoints of zone-/);
});

t.test('the pod named in a JSON field of the body (prober serve answers with its name)', async (t) => {
  const file = testFile(
    'json.yaml',
    '    json:\n      affinity: { from: pippo, to: paperino, requests: 40, sample: 4, identity: { jsonField: name } }\n',
  );
  const { status, checks } = labTest(t, file);
  t.equal(status, 0);
  t.equal(checks[0]?.sources.length, 4);
  t.same(
    checks[0]?.sources.map((s) => s.zone),
    ['zone-a', 'zone-b', 'zone-a', 'zone-b'],
    'the sample spans the zones',
  );
});

t.test('could not decide: answers naming no pod, a target that never answers; exit 2', async (t) => {
  const file = testFile(
    'undecided.yaml',
    '    nameless:\n      affinity: { from: pippo, to: paperino, requests: 20, sample: 2, identity: { header: x-nobody } }\n',
  );
  const nameless = labTest(t, file);
  t.equal(nameless.status, 2);
  t.match(nameless.checks[0], { verdict: 'undecided', sources: [{ why: /20 answers named no pod/ }, {}] });
  const silent = join(dir, 'silent.yaml');
  writeFileSync(
    silent,
    readFileSync(file, 'utf8')
      .replace(
        'paperino.zones.svc.cluster.local/", timeout: 2s',
        'paperino.zones.svc.cluster.local:81/", timeout: 300ms',
      )
      .replace('identity: { header: x-nobody }', 'identity: { header: x-pod-name }'),
  );
  const never = lab(['test', '--name', name, '-f', silent, '-o', 'json', '--expect', 'written']);
  t.equal(never.status, 2);
  const report = JSON.parse(never.stdout) as { checks: JsonCheck[] };
  t.match(report.checks[0], {
    verdict: 'undecided',
    sources: [{ why: /the target never answered: 20 requests failed/ }, {}],
  });
});

/** The affinity senders running in the Pippo pods. */
function sendersRunning(): string[] {
  const pids = Array.from({ length: 10 }, (_, i) =>
    spawnSync('ip', ['netns', 'pids', `${name}-zones-pippo-${i}`], { encoding: 'utf8' }).stdout.split('\n'),
  ).flat();
  return pids.filter((pid) => {
    try {
      return pid !== '' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--affinity');
    } catch {
      return false;
    }
  });
}

t.test('interrupted while the senders run: every sender stops, exit 2, a partial report', async (t) => {
  const file = testFile('long.yaml', '    long:\n      affinity: { from: pippo, to: paperino, requests: 10000 }\n');
  const run = startBinary(t, ['lab', 'test', '--name', name, '-f', file, '-o', 'json']);
  await waitFor('the senders to run in the Pippo pods', () => sendersRunning().length > 0 || run.done(), 60_000);
  t.notOk(run.done(), `lab test still running when interrupted (${run.output.stderr.trim()})`);
  run.child.kill('SIGINT');
  const exit = await run.exited;
  t.equal(exit.code, 2, exit.stderr);
  t.match(exit.stderr, /interrupted by SIGINT; the report is incomplete/);
  const report = JSON.parse(exit.stdout) as { checks: JsonCheck[] };
  t.equal(report.checks[0]?.verdict, 'undecided');
  t.ok(
    report.checks[0]?.sources.every((s) => /^interrupted after \d+ requests$/.test(s.why)),
    'each source says so',
  );
  t.same(sendersRunning(), [], 'no sender left in any Pippo pod');
});

t.test(
  "zone-a's Paperino pods stopped: zone-a's Pippo pods fall back to zone-b, which the default rule accepts",
  async (t) => {
    const stop = lab(['stop', '--name', name, 'zones/paperino-0', 'zones/paperino-2', 'zones/paperino-4']);
    t.equal(stop.status, 0, stop.stderr);
    const { status, checks } = labTest(t, EXPECTATIONS);
    t.equal(status, 0);
    const close = checks[0];
    t.equal(close?.verdict, 'met');
    for (const source of close?.sources ?? []) {
      t.same(source.byZone, { 'zone-b': 100 }, `${source.pod} (${source.zone}): zone-b only`);
      if (source.zone === 'zone-a') t.match(source.why, /zone-a has no ready endpoint: every ready endpoint answered/);
    }
  },
);
