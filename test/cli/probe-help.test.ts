// `prober probe --help` names the schemes of the table, so a new scheme reaches the help by itself.

import t from 'tap';
import { SCHEME_NAMES, schemeNames } from '../../src/model/schemes.ts';
import { cli } from '../helpers/cli-in-process.ts';

t.test('probe --help lists every scheme of the table, udp:// included', async (t) => {
  const out = await cli(['probe', '--help']);
  const help = out.stdout.replace(/\s+/g, ' ');
  t.match(help, `(${schemeNames(SCHEME_NAMES, '://').join(', ')})`);
  t.match(help, 'udp://');
});
