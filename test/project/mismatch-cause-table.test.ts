// The catalogue of mismatch causes, the report schema's `cause.code` and docs/outcomes.md's table name
// the same codes in the same order, so a new cause cannot ship undocumented or unreportable.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MISMATCH_CAUSES } from '../../src/model/mismatch-causes.ts';
import { ROOT } from '../helpers/prober.ts';

const schema = JSON.parse(readFileSync(join(ROOT, 'src/report/report.schema.json'), 'utf8')) as {
  definitions: { cell: { properties: { cause: { properties: { code: { enum: string[] } } } } } };
};
const page = readFileSync(join(ROOT, 'docs/outcomes.md'), 'utf8');

/** The codes in the first column of the table under "Why observed and the policy model disagree". */
function documented(): string[] {
  const section = page.split('## Why observed and the policy model disagree')[1] ?? '';
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
}

const codes = MISMATCH_CAUSES.map((c) => c.code);

t.test('the schema holds exactly the catalogue codes', async (t) => {
  t.same(schema.definitions.cell.properties.cause.properties.code.enum, codes);
});

t.test("docs/outcomes.md's table lists every code, in the order the rules are tried", async (t) => {
  t.same(documented(), codes);
});
