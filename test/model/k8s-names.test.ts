// Kubernetes name rules, row by row as apimachinery's validation tests put them (IsDNS1123Label,
// IsDNS1123Subdomain, IsDNS1035Label, IsConfigMapKey), plus what the lab relies on: no name with a
// `/` or a `..` that could climb out of a directory is ever valid.

import t from 'tap';
import { hostProblem, type NameRule, nameProblem, quoteName } from '../../src/model/k8s-names.ts';

/** [row name, rule, value, undefined when valid or a pattern of the reason] */
const rows: [string, NameRule, unknown, RegExp | undefined][] = [
  ['label: plain', 'dns1123-label', 'web', undefined],
  ['label: digits first', 'dns1123-label', '123-abc', undefined],
  ['label: one character', 'dns1123-label', 'a', undefined],
  ['label: 63 characters', 'dns1123-label', 'a'.repeat(63), undefined],
  ['label: 64 characters', 'dns1123-label', 'a'.repeat(64), /no more than 63 characters/],
  ['label: upper case', 'dns1123-label', 'Web', /lowercase RFC 1123 label/],
  ['label: dot', 'dns1123-label', 'a.b', /lowercase RFC 1123 label/],
  ['label: leading dash', 'dns1123-label', '-a', /lowercase RFC 1123 label/],
  ['label: trailing dash', 'dns1123-label', 'a-', /lowercase RFC 1123 label/],
  ['label: slash', 'dns1123-label', 'a/b', /lowercase RFC 1123 label/],
  ['label: dot-dot', 'dns1123-label', '..', /lowercase RFC 1123 label/],
  ['label: empty', 'dns1123-label', '', /must not be empty/],
  ['label: not a string', 'dns1123-label', 42, /must be a string/],
  ['label: newline', 'dns1123-label', 'a\nb', /lowercase RFC 1123 label/],
  ['subdomain: dotted', 'dns1123-subdomain', 'web-0.example.com', undefined],
  ['subdomain: 253 characters', 'dns1123-subdomain', `${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61), undefined],
  ['subdomain: 254 characters', 'dns1123-subdomain', 'a'.repeat(254), /no more than 253 characters/],
  ['subdomain: empty label', 'dns1123-subdomain', 'a..b', /lowercase RFC 1123 subdomain/],
  ['subdomain: leading dot', 'dns1123-subdomain', '.a', /lowercase RFC 1123 subdomain/],
  ['subdomain: dot-dot', 'dns1123-subdomain', '..', /lowercase RFC 1123 subdomain/],
  ['subdomain: path traversal', 'dns1123-subdomain', '../../../../root/victim', /lowercase RFC 1123 subdomain/],
  ['subdomain: slash', 'dns1123-subdomain', 'a/b', /lowercase RFC 1123 subdomain/],
  ['subdomain: underscore', 'dns1123-subdomain', 'a_b', /lowercase RFC 1123 subdomain/],
  ['1035: plain', 'dns1035-label', 'redis-svc', undefined],
  ['1035: digit first', 'dns1035-label', '1svc', /DNS-1035 label/],
  ['1035: dot', 'dns1035-label', 'a.b', /DNS-1035 label/],
  ['1035: 64 characters', 'dns1035-label', 'a'.repeat(64), /no more than 63 characters/],
  ['config key: file name', 'config-key', 'httpd.conf', undefined],
  ['config key: upper case and underscore', 'config-key', 'KEY_NAME', undefined],
  ['config key: dot file', 'config-key', '.env', undefined],
  ['config key: dot', 'config-key', '.', /must not be '\.'/],
  ['config key: dot-dot', 'config-key', '..', /must not be '\.\.'/],
  ['config key: starts with dot-dot', 'config-key', '..data', /must not start with '\.\.'/],
  ['config key: slash', 'config-key', 'a/b', /valid config key/],
  ['config key: traversal', 'config-key', '../x', /valid config key/],
  ['config key: space', 'config-key', 'a b', /valid config key/],
  ['config key: 254 characters', 'config-key', 'k'.repeat(254), /no more than 253 characters/],
];

for (const [name, rule, value, want] of rows) {
  t.test(name, async (t) => {
    const problem = nameProblem(rule, value);
    if (want) t.match(problem, want);
    else t.equal(problem, undefined);
  });
}

t.test('Ingress hosts: a subdomain, or one leading wildcard label', async (t) => {
  t.equal(hostProblem('pippo.lan'), undefined);
  t.equal(hostProblem('*.example.com'), undefined);
  t.match(hostProblem('a.*.com'), /subdomain/);
  t.match(hostProblem('pippo.lan\n10.0.0.1 evil'), /subdomain/);
});

t.test('quoted names print inert: control characters escaped, long ones cut', async (t) => {
  t.equal(quoteName('a\u001b[2Jb'), '"a\\u001b[2Jb"');
  t.equal(quoteName('a\u009b2Jb'), '"a\\u009b2Jb"');
  t.equal(quoteName(42), '42');
  t.ok(quoteName('x'.repeat(500)).length <= 80);
});
