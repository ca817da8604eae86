// The docs name every scheme of the table where they list target URLs, so a new scheme cannot go undocumented.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SCHEME_NAMES, schemeNames } from '../../src/model/schemes.ts';
import { ROOT } from '../helpers/prober.ts';

const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** The places that list target URLs: the test file's `url` row (generated from the schema's description), and
 * `prober probe`'s paragraph. */
const places: [string, string, RegExp][] = [
  ['docs/test-file-reference.md', 'the spec.targets.NAME.url row', /^\| `spec\.targets\.NAME\.url` \|.*$/m],
  ['docs/cli.md', 'the prober probe paragraph', /^## prober probe\n\n[\s\S]*?\n\n/m],
];

t.test('the docs list every scheme of the table wherever they list target URLs', async (t) => {
  for (const [page, name, where] of places) {
    const text = where.exec(read(page))?.[0];
    t.ok(text, `${page} has ${name}`);
    for (const scheme of schemeNames(SCHEME_NAMES, '://')) t.ok(text?.includes(`\`${scheme}`), `${name}: ${scheme}`);
  }
});
