// docs/cli.md names every scheme of the table where it lists target URLs, so a new scheme cannot go undocumented.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SCHEME_NAMES, schemeNames } from '../../src/model/schemes.ts';
import { ROOT } from '../helpers/prober.ts';

const cliDocs = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');

/** The places that list target URLs: the test file's `url` row, and `prober probe`'s paragraph. */
const places: [string, RegExp][] = [
  ['the spec.targets.NAME.url row', /^\| `spec\.targets\.NAME\.url` \|.*$/m],
  ['the prober probe paragraph', /^## prober probe\n\n[\s\S]*?\n\n/m],
];

t.test('docs/cli.md lists every scheme of the table wherever it lists target URLs', async (t) => {
  for (const [name, where] of places) {
    const text = where.exec(cliDocs)?.[0];
    t.ok(text, `docs/cli.md has ${name}`);
    for (const scheme of schemeNames(SCHEME_NAMES, '://')) t.ok(text?.includes(`\`${scheme}`), `${name}: ${scheme}`);
  }
});
