// The names the lab gives things on the host: lab names, namespace names (bounded, unique, readable),
// which names a state file may hand back, and which labs' names would mix.

import t from 'tap';
import { isLabNetns, labNameProblem, labsOverlap, NETNS_MAX, netnsName } from '../../src/lab/names.ts';

const labNames: [string, string, RegExp | undefined][] = [
  ['the default', 'prober-lab', undefined],
  ['32 characters', 'a'.repeat(32), undefined],
  ['33 characters', 'a'.repeat(33), /no more than 32/],
  ['a traversal', '../../x', /RFC 1123 label/],
  ['a slash', 'a/b', /RFC 1123 label/],
  ['a dot', 'a.b', /RFC 1123 label/],
  ['upper case', 'Lab', /RFC 1123 label/],
  ['empty', '', /must not be empty/],
];

for (const [name, value, want] of labNames) {
  t.test(`lab name: ${name}`, async (t) => {
    if (want) t.match(labNameProblem(value), want);
    else t.equal(labNameProblem(value), undefined);
  });
}

t.test('namespace names read as lab-namespace-pod and stay within the limit, unique', async (t) => {
  t.equal(netnsName('prober-lab', 'd-redis', 'redis-0'), 'prober-lab-d-redis-redis-0');
  const long = (pod: string) => netnsName('a'.repeat(32), 'n'.repeat(63), pod);
  const a = long(`${'p'.repeat(250)}-0`);
  const b = long(`${'p'.repeat(250)}-1`);
  t.ok(a.length <= NETNS_MAX && b.length <= NETNS_MAX, `${a.length} bytes at most`);
  t.not(a, b, 'two long names that differ only at the end stay distinct');
  t.ok(a.startsWith(`${'a'.repeat(32)}-${'n'.repeat(63)}-ppp`), 'the start is kept');
  t.ok(isLabNetns('a'.repeat(32), a), "and it is one of the lab's names");
});

const netns: [string, unknown, boolean][] = [
  ['a pod namespace', 'lab-ns1-web-0', true],
  ['the node', 'lab-node', true],
  ['a dotted pod name', 'lab-ns1-web.example', true],
  ['another lab', 'other-ns1-web-0', false],
  ['a traversal', 'lab-ns1-../../../../root/victim', false],
  ['a slash', 'lab-ns1/x', false],
  ['dot-dot inside', 'lab-a..b', false],
  ['too long', `lab-${'x'.repeat(200)}`, false],
  ['not a string', 7, false],
];

for (const [name, value, want] of netns) {
  t.test(`a state file's namespace name: ${name}`, async (t) => {
    t.equal(isLabNetns('lab', value), want);
  });
}

t.test('labs whose names mix: one is the other plus "-…"', async (t) => {
  t.ok(labsOverlap('prober', 'prober-lab'));
  t.ok(labsOverlap('prober-lab', 'prober'));
  t.notOk(labsOverlap('prober-lab', 'prober-lab'), 'a lab and itself');
  t.notOk(labsOverlap('prober', 'proberx'), 'no dash, no mix');
});
