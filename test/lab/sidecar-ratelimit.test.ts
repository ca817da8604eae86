// The local rate limit a sidecar gets from the engine, as text: where it sits against RBAC (Istio's filter order,
// pilot/pkg/networking/core/envoyfilter/listener_patch.go), Envoy's fractions (FractionalPercent), Envoy's reply
// (envoyproxy/envoy source/extensions/filters/http/local_ratelimit/local_ratelimit.cc) and its bucket in Lua
// (source/common/common/token_bucket_impl.h). test/lab/ratelimit.system.test.ts measures it through a real HAProxy.

import { join } from 'node:path';
import t from 'tap';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { sidecarProgram } from '../../src/lab/sidecar.ts';
import { RATE_LIMIT_LUA, rateLimitRules } from '../../src/lab/sidecar-ratelimit.ts';
import { deriveTopology } from '../../src/lab/topology.ts';
import type { LocalRateLimit } from '../../src/policy/index.ts';
import { inputIo } from '../helpers/input-io.ts';
import { LAB_FIXTURES } from '../helpers/lab.ts';

const { objects } = await readManifestObjects([join(LAB_FIXTURES, 'mesh')], inputIo());
const topology = deriveTopology('lab', objects);
const pod = (name: string) => topology.pods.find((p) => p.name === `${name}-0`)!;

const ALL = { numerator: 100, denominator: 100 };
const LIMIT: LocalRateLimit = {
  ref: 'EnvoyFilter x/limit configPatches[0]',
  source: undefined,
  position: 'first',
  maxTokens: 20,
  tokensPerFill: 10,
  fillIntervalMs: 1000,
  status: 429,
  enabled: ALL,
  enforced: ALL,
  responseHeaders: [{ name: 'x-local-rate-limit', value: 'true' }],
};
const REPLY = 'http-request return status 429 content-type text/plain string local_rate_limited';

t.test('a whole limit: one token per request, the 429 with the body and the header when none is left', async (t) => {
  t.same(rateLimitRules(8080, LIMIT), [
    '  # EnvoyFilter x/limit configPatches[0]: 20 tokens, 10 every 1000 ms, enabled 100 %, enforced 100 %',
    '  http-request lua.local_ratelimit 8080 20 10 1000',
    `  ${REPLY} hdr x-local-rate-limit 'true' if { var(txn.rl_limited) -m int eq 1 }`,
  ]);
});

t.test(
  "fractions: drawn per request as Envoy's FractionalPercent; 0 % enforced counts only, 0 % enabled is nothing",
  async (t) => {
    const partial = rateLimitRules(8080, {
      ...LIMIT,
      status: 503,
      enabled: { numerator: 5000, denominator: 10_000 },
      enforced: { numerator: 1, denominator: 100 },
      responseHeaders: [],
    });
    t.same(partial.slice(1), [
      '  acl rl_enabled_8080 rand(10000) lt 5000',
      '  http-request lua.local_ratelimit 8080 20 10 1000 if rl_enabled_8080',
      '  acl rl_enforced_8080 rand(100) lt 1',
      '  http-request return status 503 content-type text/plain string local_rate_limited if { var(txn.rl_limited) -m int eq 1 } rl_enforced_8080',
    ]);
    t.same(rateLimitRules(8080, { ...LIMIT, enforced: { numerator: 0, denominator: 100 } }).length, 2, 'no reply');
    t.same(rateLimitRules(8080, { ...LIMIT, enabled: { numerator: 0, denominator: 100 } }), [
      '  # EnvoyFilter x/limit configPatches[0]: filter_enabled 0 %, limits nothing',
    ]);
  },
);

t.test('in the sidecar: the Lua loaded, the limit before RBAC or after it, only on the HTTP port', async (t) => {
  const program = (position: LocalRateLimit['position']) =>
    sidecarProgram(
      topology,
      pod('web'),
      '/run/x',
      new Map([[8080, { allow: 'all', refuse: [], rateLimit: { ...LIMIT, position } }]]),
    );
  const first = program('first');
  const config = first.files[0]!.content;
  t.match(config, 'global\n  maxconn 4096\n  lua-load /run/x/local-ratelimit.lua\n');
  t.same(first.files[1], { path: '/run/x/local-ratelimit.lua', content: RATE_LIMIT_LUA });
  t.match(config, 'lua.local_ratelimit');
  t.match(config, 'RBAC: access denied');
  t.ok(config.indexOf('lua.local_ratelimit') < config.indexOf('RBAC: access denied'), 'first: before RBAC');
  const last = program('before-router').files[0]!.content;
  t.match(last, 'lua.local_ratelimit');
  t.ok(last.indexOf('lua.local_ratelimit') > last.indexOf('RBAC: access denied'), 'before the router: after RBAC');
  const tcp = sidecarProgram(
    topology,
    pod('redis'),
    '/run/x',
    new Map([[6379, { allow: 'all', refuse: [], rateLimit: LIMIT }]]),
  );
  t.equal(tcp.files.length, 1, 'a TCP port has no HTTP filter: no Lua');
  t.notMatch(tcp.files[0]!.content, 'local_ratelimit');
  t.equal(sidecarProgram(topology, pod('web'), '/run/x', new Map()).files.length, 1, 'no limit, no Lua');
});

t.test('the Lua bucket: full at the start, refilled at the rate, capped, one token a request', async (t) => {
  // The state of AtomicTokenBucketImpl: one instant, tokens = min(max, (now - from) * rate).
  t.match(RATE_LIMIT_LUA, 'local from = buckets[port] or (now - max / rate)');
  t.match(RATE_LIMIT_LUA, 'local tokens = math.min(max, (now - from) * rate)');
  t.match(RATE_LIMIT_LUA, 'buckets[port] = now - (tokens - 1) / rate');
});
