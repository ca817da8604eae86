// The source's own nameserver: which line of resolv.conf the dns:// probe asks when `over=` names no server.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { firstNameserver } from '../../src/probe/resolv-conf.ts';
import { tempDir } from '../helpers/temp.ts';

const rows: [string, string, unknown][] = [
  [
    'a pod: search domains, then the cluster DNS Service',
    'search default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    { ip: '10.96.0.10', port: 53 },
  ],
  [
    'the first of several, after comments',
    '# a comment\n; another\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n',
    { ip: '10.0.0.2', port: 53 },
  ],
  ['IPv6 with its zone kept', 'nameserver fe80::1%eth0\n', { ip: 'fe80::1%eth0', port: 53 }],
  [
    'a line that is not an address is skipped',
    'nameserver dns.example\nnameserver 192.0.2.53\n',
    { ip: '192.0.2.53', port: 53 },
  ],
  ['no nameserver line', 'search example\n', /names no nameserver/],
];

for (const [name, text, want] of rows) {
  t.test(name, async (t) => {
    const path = join(tempDir(t, 'resolv'), 'resolv.conf');
    writeFileSync(path, text);
    const found = await firstNameserver(path);
    if (want instanceof RegExp) t.match(found, want);
    else t.same(found, want);
  });
}

t.test('a missing file says so, with its path', async (t) => {
  const path = join(tempDir(t, 'resolv'), 'absent.conf');
  t.match(await firstNameserver(path), /cannot read .*absent\.conf: ENOENT/);
});
