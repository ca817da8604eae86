// Every reason the code can emit is explained in docs/outcomes.md's outcome table, under the verdict it
// comes with: the reason types of src/model/outcome.ts, which the report schema's pattern must match.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/prober.ts';

const outcome = readFileSync(join(ROOT, 'src/model/outcome.ts'), 'utf8');
const schema = JSON.parse(readFileSync(join(ROOT, 'src/report/report.schema.json'), 'utf8')) as {
  definitions: { reason: { pattern: string } };
};
const readme = readFileSync(join(ROOT, 'docs/outcomes.md'), 'utf8');

/** The string members of `export type NAME = | 'a' | 'b' | HttpReason;` (HttpReason as `http-NNN`). */
function unionMembers(name: string): string[] {
  const body = new RegExp(`export type ${name} =([^;]*);`).exec(outcome)?.[1] ?? '';
  const withoutComments = body.replace(/\/\*[\s\S]*?\*\//g, '');
  const literals = [...withoutComments.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1] ?? '');
  return withoutComments.includes('HttpReason') ? [...literals, 'http-NNN'] : literals;
}

const emitted: Record<string, string[]> = {
  allow: unionMembers('AllowReason'),
  deny: unionMembers('DenyReason'),
  error: unionMembers('ErrorReason'),
};

/** The page's outcome table: observed verdict → reasons named in its rows. */
function documented(): Record<string, Set<string>> {
  const section = readme.split('# What an outcome means')[1]?.split('\n## ')[0] ?? '';
  const table: Record<string, Set<string>> = { allow: new Set(), deny: new Set(), error: new Set() };
  for (const row of section.matchAll(/^\| (allow|deny|error) \| ([^|]+) \|/gm)) {
    // `http-403` in a row stands for the http-NNN family.
    const reasons = [...(row[2] ?? '').matchAll(/`([a-z0-9-]+|http-NNN)`/g)].map((m) =>
      (m[1] ?? '').replace(/^http-\d{3}$/, 'http-NNN'),
    );
    for (const reason of reasons) table[row[1] ?? '']?.add(reason);
  }
  return table;
}

t.test('the reason types are read (a change of their shape must not empty this test)', async (t) => {
  t.ok(emitted.allow?.includes('connected'), 'allow: connected');
  t.ok(emitted.deny?.includes('blocked'), 'deny: blocked');
  t.ok(emitted.error?.includes('internal'), 'error: internal');
  t.ok(emitted.error?.includes('http-NNN'), 'error: http-NNN');
});

t.test("the report schema's reason pattern takes exactly the reasons of the code", async (t) => {
  const pattern = new RegExp(schema.definitions.reason.pattern);
  const all = new Set(Object.values(emitted).flat());
  for (const reason of all) t.ok(pattern.test(reason.replace('NNN', '403')), `schema takes ${reason}`);
  const named = /^\^\((.*)\)\$$/.exec(schema.definitions.reason.pattern)?.[1]?.split('|') ?? [];
  for (const reason of named.filter((r) => !r.startsWith('http-')))
    t.ok(all.has(reason), `the code can emit ${reason}, which the schema names`);
});

t.test("every reason appears in docs/outcomes.md's outcome table with its verdict", async (t) => {
  const table = documented();
  for (const [observed, reasons] of Object.entries(emitted))
    for (const reason of reasons)
      t.ok(
        table[observed]?.has(reason),
        `docs/outcomes.md, "What an outcome means": a row "| ${observed} | … \`${reason}\` … |" explains it`,
      );
  for (const [observed, reasons] of Object.entries(table))
    for (const reason of reasons)
      t.ok(emitted[observed]?.includes(reason), `the table's ${observed}/${reason} is a reason the code emits`);
});
