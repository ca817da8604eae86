// The cluster README's RBAC table states exactly the permission table the code uses, and where each is granted.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type Grant, PERMISSION_TABLE } from '../../src/cluster/kube-api.ts';
import { IMPERSONATE_PERMISSIONS } from '../../src/cluster/rbac-hints.ts';
import { ROOT } from '../helpers/prober.ts';

t.test('every permission of KubeApi has its row in src/cluster/README.md, and no row is extra', async (t) => {
  const text = readFileSync(join(ROOT, 'src', 'cluster', 'README.md'), 'utf8');
  const rows = text
    .split('\n')
    .filter((line) => /^\| `(get|list|watch|create|update|delete|patch)` \|/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  const documented = new Set<string>();
  const grants: Record<string, Grant> = {
    'source Role': 'source-namespace',
    'probe-pod Role': 'probe-pod',
    'own Role': 'own-namespace',
    'resident Role': 'resident',
    ClusterRole: 'cluster',
    'fromPolicies ClusterRole': 'from-policies',
    'watch ClusterRole': 'watch',
  };
  for (const [, verb = '', resources = '', scope = '', grantedBy = ''] of rows) {
    const group = /\(([^)]+)\)/.exec(resources)?.[1] ?? '';
    for (const [, resource] of resources.matchAll(/`([^`]+)`/g))
      documented.add(
        `${verb.replace(/`/g, '')} ${group}/${resource} ${scope} ${grantedBy
          .split(', ')
          .map((by) => grants[by] ?? by)
          .join('+')}`,
      );
  }
  const used = new Set(
    PERMISSION_TABLE.map((p) => `${p.verb} ${p.group}/${p.resource} ${p.scope} ${p.grants.join('+')}`),
  );
  t.same([...documented].sort(), [...used].sort());
});

t.test('the impersonate row names what --as and --as-group need, as the hints do', async (t) => {
  const text = readFileSync(join(ROOT, 'src', 'cluster', 'README.md'), 'utf8');
  const row = text.split('\n').find((line) => line.startsWith('| `impersonate` |'));
  if (!row) throw new Error('no impersonate row in src/cluster/README.md');
  const resources = [...(row.split('|')[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  t.same(
    resources,
    IMPERSONATE_PERMISSIONS.map((p) => p.resource),
  );
});
