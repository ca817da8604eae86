// docs/cli.md lists exactly the flags the program accepts, command by command (walking the commander
// program, so `--help` and the page cannot drift apart), and every environment variable src/ reads.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildProgram } from '../../src/cli/program.ts';
import { capturedIo } from '../helpers/cli-in-process.ts';
import { ROOT } from '../helpers/prober.ts';

const DOC = 'docs/cli.md';
const doc = readFileSync(join(ROOT, DOC), 'utf8');

/** The commander program's commands, by their full name (`prober lab up`), with their options' flags. */
interface ProgramCommand {
  readonly name: string;
  readonly flags: readonly string[];
}

function programCommands(): ProgramCommand[] {
  const found: ProgramCommand[] = [];
  const walk = (command: ReturnType<typeof buildProgram>, path: string[]): void => {
    found.push({ name: path.join(' '), flags: command.options.map((option) => option.flags) });
    for (const sub of command.commands) walk(sub as ReturnType<typeof buildProgram>, [...path, sub.name()]);
  };
  walk(
    buildProgram(() => {}, capturedIo()),
    ['prober'],
  );
  return found;
}

/** docs/cli.md's sections headed `## prober …` / `### prober …`, each with the flags of its table's first column. */
function documentedCommands(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of doc.split('\n')) {
    const heading = /^#{2,4} (.*)$/.exec(line);
    if (heading) {
      const title = (heading[1] ?? '').trim();
      current = /^prober( [a-z-]+)*$/.test(title) ? [] : undefined;
      if (current) sections.set(title, current);
      continue;
    }
    const row = /^\| `(-[^`]*)` \|/.exec(line);
    if (row && current) current.push(row[1] ?? '');
  }
  return sections;
}

/** The option names in a flags text: `-f, --file <test.yaml>` → ['-f', '--file']. */
const names = (flags: string): string[] => flags.split(/[ ,|]+/).filter((word) => /^--?[A-Za-z]/.test(word));
/** `--help` is every command's and documented once, on the program. */
const isHelp = (name: string): boolean => name === '-h' || name === '--help';

const commands = programCommands();
const documented = documentedCommands();

t.test('the walk finds the commands (a change in commander must not empty this test)', async (t) => {
  for (const name of ['prober run', 'prober serve', 'prober lab up', 'prober lab demo'])
    t.ok(
      commands.some((c) => c.name === name),
      name,
    );
  t.ok(commands.find((c) => c.name === 'prober run')?.flags.includes('--parallel <n>'), 'run has --parallel <n>');
});

t.test(`every command has a section in ${DOC} and every section is a command`, async (t) => {
  for (const { name } of commands) t.ok(documented.has(name), `${DOC} has a section "## ${name}"`);
  for (const name of documented.keys())
    t.ok(
      commands.some((c) => c.name === name),
      `${DOC}'s section "${name}" is a command of the program`,
    );
});

t.test(`each command's flags and ${DOC}'s table for it are the same`, async (t) => {
  for (const command of commands) {
    const rows = documented.get(command.name);
    if (!rows) continue;
    const written = new Map(rows.flatMap((row) => names(row).map((name) => [name, row] as const)));
    for (const flags of command.flags) {
      for (const name of names(flags))
        t.ok(
          written.has(name),
          `${DOC}, section "${command.name}": flag ${name} is missing (add a row "| \`${flags}\` | default | what it does |")`,
        );
      const row = names(flags)
        .map((name) => written.get(name))
        .find(Boolean);
      if (row !== undefined)
        t.equal(row, flags, `${DOC}, section "${command.name}": the row of ${flags} is written as --help shows it`);
    }
    const accepted = new Set(command.flags.flatMap(names));
    for (const name of written.keys())
      if (!isHelp(name) || command.name !== 'prober')
        t.ok(accepted.has(name), `${DOC}, section "${command.name}": flag ${name} does not exist in the program`);
  }
});

/** Environment variables src/ reads: `process.env.X`, `env.X` of a passed environment, named constants, proxies. */
function environmentRead(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const line of readFileSync(path, 'utf8').split('\n')) {
          // A container's env in a manifest is the workload's, not prober's.
          if (/(container|spec)\.env\b/.test(line)) continue;
          for (const m of line.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) found.add(m[1] ?? '');
          for (const m of line.matchAll(/_ENV = '([A-Z][A-Z0-9_]+)'/g)) found.add(m[1] ?? '');
          for (const m of line.matchAll(/envAny\(env, ([^)]*)\)/g))
            for (const name of (m[1] ?? '').matchAll(/'([A-Za-z_]+)'/g)) found.add(name[1] ?? '');
        }
      }
    }
  };
  walk(join(ROOT, 'src'));
  return found;
}

t.test(`every environment variable src/ reads is in ${DOC}'s environment table`, async (t) => {
  const read = environmentRead();
  for (const name of ['NO_COLOR', 'PROBER_DEBUG', 'PROBER_LAB_DIR', 'POD_IP', 'PROBER_PLAN_GZ'])
    t.ok(read.has(name), `the scan finds ${name}`);
  const table = doc.split('## Environment variables')[1]?.split('\n## ')[0] ?? '';
  const documentedNames = new Set(
    [...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) =>
      [...(row[1] ?? '').matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1] ?? ''),
    ),
  );
  for (const name of read) t.ok(documentedNames.has(name), `${DOC}, "Environment variables": ${name} has a row`);
});

t.test(`the README links ${DOC}`, async (t) => {
  t.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/cli\.md\)/);
});

t.test("the program's help names the variables every command reads, and the reference", async (t) => {
  const program = buildProgram(() => {}, capturedIo());
  let help = '';
  program.configureOutput({ writeOut: (text) => (help += text) });
  program.outputHelp();
  for (const name of ['NO_COLOR', 'COLUMNS', 'PROBER_DEBUG']) t.match(help, name, `prober --help names ${name}`);
  t.match(help, DOC, `prober --help points to ${DOC}`);
});
