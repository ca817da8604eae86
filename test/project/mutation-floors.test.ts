// Mutation floors hold per area in a combined run: `npm run test:mutation` without MUTATE_AREA mutates every
// area into one report, whose overall score can clear the lowest floor while one area sits under its own.
// stryker-floors.mjs, run after Stryker, reads that report area by area. Tested on small reports written
// here in Stryker's JSON format (mutation-testing-report-schema), since a real run takes hours.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
// @ts-expect-error stryker-floors.mjs is plain JavaScript; its JSDoc types are restated below.
import * as floorsScript from '../../stryker-floors.mjs';
import { ROOT, startProcess } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored';
interface Report {
  files: Record<string, { mutants: { status: Status }[] }>;
  projectRoot?: string;
}
interface AreaScore {
  name: string;
  files: number;
  mutants: number;
  score: number;
  floor: number | undefined;
  holds: boolean;
}
const { areaScores, inArea, mutationScore } = floorsScript as {
  areaScores(
    report: Report,
    names: readonly string[],
    areas?: Record<string, { mutate: string[] }>,
    floors?: Record<string, number>,
  ): AreaScore[];
  inArea(file: string, globs: readonly string[]): boolean;
  mutationScore(mutants: readonly { status: Status }[]): number;
};

/** `killed` mutants killed and `survived` survived. */
function mutants(killed: number, survived: number): { mutants: { status: Status }[] } {
  return {
    mutants: [
      ...Array.from({ length: killed }, () => ({ status: 'Killed' as const })),
      ...Array.from({ length: survived }, () => ({ status: 'Survived' as const })),
    ],
  };
}

// model at 50 % (floor 57) and policy-lint at 95 % (floor 70): 86.4 % overall, over every floor, so the
// lowest-floor `thresholds.break` alone lets the combined run pass.
const combined: Report = {
  files: {
    'src/model/plan.ts': mutants(5, 5),
    'src/policy/lint/shadow.ts': mutants(38, 2),
    'src/policy/lint/reach.ts': mutants(19, 1),
  },
};

t.test('the score counts as Stryker does: killed and timed out over those, survived and no coverage', async (t) => {
  const statuses: Status[] = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];
  t.equal(mutationScore(statuses.map((status) => ({ status }))), 50);
  t.ok(Number.isNaN(mutationScore([{ status: 'Ignored' }])), 'nothing counted: NaN, not 0 or 100');
});

t.test("an area takes the files its globs match and none of its '!' globs", async (t) => {
  t.ok(inArea('src/policy/lint/reach.ts', ['src/policy/**/*.ts']));
  t.notOk(inArea('src/policy/lint/reach.ts', ['src/policy/**/*.ts', '!src/policy/lint/**']));
  t.ok(inArea('src/probe/classify.ts', ['src/probe/classify*.ts']));
  t.notOk(inArea('src/probe/engine.ts', ['src/probe/classify*.ts']));
});

t.test('in a combined report each area is held to its own floor', async (t) => {
  const scores = areaScores(combined, ['model', 'policy-lint', 'report', 'classify'], undefined, {
    model: 57,
    'policy-lint': 70,
    report: 72,
    classify: 95,
  });
  t.same(
    scores.map(({ name, files, mutants, score, holds }) => ({ name, files, mutants, score, holds })),
    [
      { name: 'model', files: 1, mutants: 10, score: 50, holds: false },
      { name: 'policy-lint', files: 2, mutants: 60, score: 95, holds: true },
    ],
    'report and classify have no file in the report: left out, not failed',
  );
});

t.test('the script exits 1 naming the area below its floor, 0 when every area holds', async (t) => {
  const dir = tempDir(t, 'floors');
  const env = { ...process.env };
  delete env.MUTATE_AREA;
  const run = async (report: Report) => {
    const file = join(dir, 'mutation.json');
    writeFileSync(file, JSON.stringify(report));
    return startProcess([process.execPath, 'stryker-floors.mjs', file], { cwd: ROOT, env }).exited;
  };
  const below = await run(combined);
  t.equal(below.code, 1);
  t.match(below.stdout, /^model: 50\.00 % over 10 mutants in 1 files \(floor \d+\): BELOW FLOOR$/m);
  t.match(below.stdout, /^policy-lint: 95\.00 % .*: ok$/m);
  t.match(below.stderr, /mutation\.json: an area is below its floor/);
  const holding = await run({ ...combined, files: { ...combined.files, 'src/model/plan.ts': mutants(10, 0) } });
  t.equal(holding.code, 0, holding.stderr);
  t.notMatch(holding.stdout, /BELOW FLOOR/);
});
