// `simulate` on 1,000 workloads through the binary: the JSON report and the diff are valid and right, written
// in bounded memory. Formats that cannot hold a matrix say so in one line (checked in this process, on a
// matrix that is wide rather than deep, so the check costs a load of 600 workloads, not 1,000).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { writeManifestSet } from '../../bench/synthetic-manifests.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { requireBinary } from '../helpers/prober.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { tempDir } from '../helpers/temp.ts';

const WORKLOADS = 1000;
const SERVING_EVERY = 10;
/**
 * The V8 heap the binary gets. Streamed, the report and the diff of these 100,000 cells need under 40 MB.
 * A build that keeps every cell's line, or every change, before writing aborts in 64 MB (measured on both
 * by changing `jsonChunks` and `diffChunks` to collect first): so this heap tells the two apart.
 */
const HEAP_MB = 64;

const binary = requireBinary();
const dir = tempDir(t, 'scale');
// k8s/ holds the namespaces and Deployments, policies/ the NetworkPolicies, none/ no policy at all.
const facts = writeManifestSet(join(dir, 'k8s'), {
  workloads: WORKLOADS,
  servingEvery: SERVING_EVERY,
  isolatedNamespaces: 100,
});
mkdirSync(join(dir, 'policies'));
mkdirSync(join(dir, 'none'));
renameSync(join(dir, 'k8s', 'policies.yaml'), join(dir, 'policies', 'policies.yaml'));
const simulate = (...args: string[]) =>
  spawnSync(binary, ['simulate', '-f', 'k8s', ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
  });

interface Cell {
  from: string;
  to: string;
  observed: string;
  result: string;
}

t.test(
  `-o json: ${WORKLOADS} sources × ${WORKLOADS / SERVING_EVERY} targets, every cell right, in a ${HEAP_MB} MB heap`,
  async (t) => {
    const run = simulate('-f', 'policies', '-o', 'json');
    t.equal(run.signal, null, 'not killed (an out-of-memory abort is SIGABRT)');
    t.equal(run.status, 0, run.stderr.slice(0, 500));
    t.equal(run.stderr, '');
    const report = JSON.parse(run.stdout) as {
      sources: unknown[];
      targets: unknown[];
      cells: Cell[];
      summary: Record<string, number>;
      exitCode: number;
    };
    t.same(reportSchemaErrors(report).slice(0, 5), [], 'valid against the report schema');
    const targets = WORKLOADS / SERVING_EVERY;
    t.equal(report.sources.length, WORKLOADS);
    t.equal(report.targets.length, targets);
    t.equal(report.cells.length, WORKLOADS * targets);
    t.match(report.summary, { cells: WORKLOADS * targets, checked: 0, unchecked: WORKLOADS * targets });
    t.equal(report.exitCode, 0);
    const number = (id: string): number => Number(/\/app-(\d+)(:|$)/.exec(id)?.[1]);
    const wrong = report.cells.filter((cell) => cell.observed !== facts.expected(number(cell.from), number(cell.to)));
    t.same(
      wrong.slice(0, 3),
      [],
      'each cell says what the policies say: a backend reaches an isolated backend only from a frontend',
    );
    t.ok(
      report.cells.some((cell) => cell.observed === 'deny'),
      'some cells are denied',
    );
  },
);

t.test(
  '-o table --table wide and -o markdown cannot hold a big matrix: one line naming the format to use, exit 2, nothing computed',
  async (t) => {
    // Every workload serves: 600 sources × 600 targets.
    const wide = join(dir, 'wide');
    writeManifestSet(wide, { workloads: 600, servingEvery: 1, isolatedNamespaces: 20 });
    const rows: [string, RegExp, ...string[]][] = [
      [
        'table',
        /^prober: -o table --table wide: the matrix \(600 sources × 600 targets\) would be [\d,]+ characters wide, wider than any terminal \(at most 1,000\): use --table compact, -o svg, -o json or -o junit\n$/,
        '--table',
        'wide',
      ],
      [
        'markdown',
        /^prober: -o markdown: the matrix \(600 sources × 600 targets\) would take [\d,]+ KiB, more than a CI job summary holds \(1 MiB\): use -o json or -o junit, or fewer targets\n$/,
      ],
    ];
    for (const [format, message, ...more] of rows) {
      const run = await cli(['simulate', '-f', wide, '-o', format, ...more]);
      t.equal(run.status, 2, `${format}: exit 2`);
      t.match(run.stderr, message, format);
      t.equal(run.stdout, '', `${format}: nothing on stdout`);
    }
  },
);

t.test(
  `--diff of no policy and the policies, -o json: every change listed and explained, in a ${HEAP_MB} MB heap`,
  async (t) => {
    const run = simulate('--diff', 'none', 'policies', '-o', 'json');
    t.equal(run.signal, null, 'not killed');
    t.equal(run.status, 1, 'some cells change: exit 1');
    const diff = JSON.parse(run.stdout) as {
      kind: string;
      cells: number;
      changes: { from: string; to: string; old: string; new: string; newExplanation: string[] }[];
    };
    const number = (id: string): number => Number(/\/app-(\d+)$/.exec(id)?.[1]);
    let denied = 0;
    for (let from = 0; from < WORKLOADS; from++)
      for (let to = 0; to < WORKLOADS; to += SERVING_EVERY) if (facts.expected(from, to) === 'deny') denied++;
    t.match(diff, { kind: 'PolicyDiff', cells: WORKLOADS * (WORKLOADS / SERVING_EVERY) });
    t.equal(diff.changes.length, denied, 'one change per cell the policies deny');
    t.same(
      diff.changes
        .filter((c) => c.old !== 'allow' || c.new !== 'deny' || facts.expected(number(c.from), number(c.to)) !== 'deny')
        .slice(0, 3),
      [],
      'each change is allow → deny on a cell the policies deny',
    );
    t.match(diff.changes[0]?.newExplanation.join('\n'), /isolated by NetworkPolicy/);
  },
);
