// The HTTP rules a sidecar gets from the engine's request policies, as text: Istio's patterns as HAProxy matches
// (matcher/header.go HeaderMatcher and HostMatcher, matcher/string.go StringMatcherWithPrefix: exact, prefix,
// suffix, `*` as presence), `not` fields negated, DENY before ALLOW. test/lab/mesh-l7.system.test.ts runs them.
import t from 'tap';
import { groupRequests, requestRules } from '../../src/lab/sidecar-http.ts';
import type { RequestPolicy } from '../../src/policy/index.ts';

const DENY = 'http-request deny deny_status 403 content-type text/plain string "RBAC: access denied"';

t.test('an ALLOW condition: every field an ACL, one name per field, patterns by kind', async (t) => {
  const policy: RequestPolicy = {
    deny: [],
    allow: [
      { ref: 'AuthorizationPolicy x/p rules[0]', fields: { methods: ['GET', 'HE*'], paths: ['/api/*', '*.png', '*'] } },
    ],
  };
  t.same(requestRules(groupRequests([{ source: '10.0.0.2', policy }])), [
    '  acl rq0 src 10.0.0.2',
    '  # AuthorizationPolicy x/p rules[0] (ALLOW)',
    "  acl rq0_allow0_methods method -m str 'GET'",
    "  acl rq0_allow0_methods method -m beg 'HE'",
    "  acl rq0_allow0_paths path -m beg '/api/'",
    "  acl rq0_allow0_paths path -m end '.png'",
    '  acl rq0_allow0_paths path -m found',
    '  http-request set-var(txn.rbac_allowed) bool(true) if rq0 rq0_allow0_methods rq0_allow0_paths',
    `  ${DENY} if rq0 !{ var(txn.rbac_allowed) -m bool }`,
  ]);
});

t.test('DENY conditions: negated fields, hosts ignoring case, quotes kept in the value', async (t) => {
  const policy: RequestPolicy = {
    deny: [
      { ref: 'AuthorizationPolicy x/d rules[0]', fields: { notMethods: ['GET'], hosts: ["it's.example"] } },
      { ref: 'AuthorizationPolicy x/d rules[1]', fields: {} },
    ],
    allow: 'all',
  };
  const lines = requestRules([{ sources: ['10.0.0.2', 'fd00::2'], policy }]);
  t.same(lines, [
    '  acl rq0 src 10.0.0.2 fd00::2',
    '  # AuthorizationPolicy x/d rules[0] (DENY)',
    "  acl rq0_deny0_notMethods method -m str 'GET'",
    "  acl rq0_deny0_hosts req.hdr(host) -i -m str 'it'\\''s.example'",
    `  ${DENY} if rq0 !rq0_deny0_notMethods rq0_deny0_hosts`,
    '  # AuthorizationPolicy x/d rules[1] (DENY)',
    `  ${DENY} if rq0`,
  ]);
});

t.test('sources with the same policy share one group', async (t) => {
  const a: RequestPolicy = { deny: [], allow: [] };
  const b: RequestPolicy = { deny: [], allow: 'all' };
  const groups = groupRequests([
    { source: '10.0.0.1', policy: a },
    { source: '10.0.0.2', policy: b },
    { source: '10.0.0.3', policy: { deny: [], allow: [] } },
  ]);
  t.same(
    groups.map((g) => g.sources),
    [['10.0.0.1', '10.0.0.3'], ['10.0.0.2']],
  );
});
