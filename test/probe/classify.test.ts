// Socket and resolver errors to outcome classes, and the refused deny that trust rule 2 keeps from being trusted alone.

import t from 'tap';
import { assembleMatrix } from '../../src/model/matrix.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import { classifyError, NoRouteFromHere, timedOut } from '../../src/probe/classify.ts';

/** An error as Node raises it: a code and a message that usually repeats it. */
function errno(code: string, message = `connect ${code} 10.0.0.1:6379`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

t.test('the outcome table: each error code gives its class and reason', async (t) => {
  const rows: [string, string, string][] = [
    ['ECONNREFUSED', 'deny', 'refused'],
    ['ECONNRESET', 'deny', 'reset'],
    ['EPIPE', 'deny', 'reset'],
    ['ETIMEDOUT', 'deny', 'timeout'],
    ['EHOSTUNREACH', 'deny', 'unreachable'],
    ['ENETUNREACH', 'deny', 'unreachable'],
    ['EHOSTDOWN', 'deny', 'unreachable'],
    ['ENETDOWN', 'deny', 'unreachable'],
    ['EPERM', 'deny', 'blocked'],
    ['EACCES', 'deny', 'blocked'],
    ['HPE_INVALID_CONSTANT', 'error', 'protocol'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'error', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'error', 'tls'],
    ['EPROTO', 'error', 'tls'],
    ['EMFILE', 'error', 'internal'],
  ];
  for (const [code, observed, reason] of rows) {
    t.match(classifyError(errno(code), 'connect'), { observed, reason }, code);
  }
});

t.test("the same codes from the source's own connect() are no-route errors, never denies", async (t) => {
  // The netns test (local-errors-netns) shows which path each takes; here only the classification.
  for (const code of ['ENETUNREACH', 'EHOSTUNREACH', 'EACCES', 'EINVAL']) {
    const attempt = classifyError(new NoRouteFromHere(errno(code)), 'connect');
    t.match(attempt, { observed: 'error', reason: 'no-route' }, code);
    t.match(attempt.detail, new RegExp(`no route from here \\(${code} .*nothing was sent\\)`), code);
  }
});

t.test('name resolution failures are errors, never denies', async (t) => {
  for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'EBADNAME']) {
    t.match(classifyError(errno(code), 'connect'), { observed: 'error', reason: 'dns' }, code);
  }
  for (const code of ['ECONNREFUSED_DNS', 'ETIMEOUT']) {
    t.match(classifyError(errno(code), 'exchange'), { observed: 'error', reason: 'dns' }, code);
  }
  // Whatever the code, an error while resolving is about the name, not the network.
  t.match(classifyError(errno('ECONNREFUSED'), 'resolve'), { observed: 'error', reason: 'dns' });
});

t.test('the detail keeps the message and names the code once', async (t) => {
  t.equal(classifyError(errno('ECONNREFUSED'), 'connect').detail, 'connect ECONNREFUSED 10.0.0.1:6379');
  t.equal(classifyError(errno('EPIPE', 'write after end'), 'exchange').detail, 'EPIPE: write after end');
  t.equal(classifyError(new Error('certificate has expired'), 'exchange').reason, 'tls', 'TLS known by its message');
  for (const code of ['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO']) {
    t.equal(
      classifyError(errno(code, 'wrong host or version'), 'exchange').reason,
      'tls',
      `TLS known by ${code} alone`,
    );
  }
  t.equal(classifyError(new Error('SSL routines::wrong version'), 'exchange').reason, 'tls');
  t.match(classifyError('thrown text', 'connect'), { observed: 'error', reason: 'internal', detail: 'thrown text' });
  t.match(classifyError(undefined, 'connect'), { observed: 'error', reason: 'internal', detail: 'undefined' });
  t.match(classifyError(new Error(''), 'connect'), {
    observed: 'error',
    reason: 'internal',
    detail: 'unknown failure',
  });
});

t.test('a deadline: before resolution it is a DNS error, after it a timeout deny', async (t) => {
  t.same(timedOut('resolve', 500), {
    observed: 'error',
    reason: 'dns',
    detail: 'name resolution took longer than 500ms',
  });
  t.same(timedOut('connect', 500), {
    observed: 'deny',
    reason: 'timeout',
    detail: 'no answer to the connection attempt within 500ms',
  });
  t.same(timedOut('exchange', 500), {
    observed: 'deny',
    reason: 'timeout',
    detail: 'connected, but no reply within 500ms',
  });
});

t.test('trust rule 2: a refused connection, alone, makes the cell an error', async (t) => {
  // ECONNREFUSED is what a rejecting policy and a target with no listener both produce.
  const parsed = parseTarget('redis://redis:6379');
  if (!parsed.ok) throw new Error(parsed.error);
  const test: ReachabilityTest = {
    name: 'rule-2',
    file: 'rule-2.yaml',
    defaults: DEFAULTS,
    sources: [{ name: 'apache', namespace: 'b', local: false }],
    targets: [{ name: 'redis', address: parsed.value, liveness: 'auto' }],
    rules: [{ from: 'apache', to: 'redis', verdict: 'deny' }],
    expectFromPolicies: false,
  };
  const attempt = classifyError(errno('ECONNREFUSED'), 'connect');
  const results = new Map([['apache', new Map([['redis', { ...attempt, url: 'x', latencyMs: 1, attempts: 3 }]])]]);
  const unproven = assembleMatrix({ test, observations: { results, sourceErrors: new Map(), alive: new Map() } });
  t.match(unproven, [{ result: 'error', observed: 'error', reason: 'target-down', detail: /saw refused/ }]);
  const proven = assembleMatrix({
    test,
    observations: { results, sourceErrors: new Map(), alive: new Map([['redis', 'endpoints ready: 1']]) },
  });
  t.match(proven, [{ result: 'pass', observed: 'deny', reason: 'refused' }], 'with ready endpoints the deny stands');
});
