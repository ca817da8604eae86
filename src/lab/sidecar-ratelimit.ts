// Envoy's HTTP local rate limit in a lab sidecar: the engine's parsed limit as a token bucket in HAProxy's Lua, and Envoy's reply.
import type { LocalRateLimit } from '../policy/index.ts';
import { quote } from './sidecar-http.ts';

/** The Lua file a sidecar with a rate limit loads (in its own directory). */
export const RATE_LIMIT_SCRIPT = 'local-ratelimit.lua';

/**
 * A token bucket per sidecar port, kept as Envoy keeps its local rate limit's (AtomicTokenBucketImpl,
 * envoyproxy/envoy source/common/common/token_bucket_impl.h, used by source/extensions/filters/common/
 * local_ratelimit/local_ratelimit_impl.cc): the state is one instant `from`, the bucket then holds
 * min(max, (now - from) * rate) tokens; it starts full, refills continuously, and a request that finds
 * a whole token takes it. `lua-load` runs every call under HAProxy's global Lua lock, so the threads
 * share one bucket per port, as Envoy's workers share one per filter. core.now() is HAProxy's own
 * monotonic clock, to the microsecond.
 */
export const RATE_LIMIT_LUA = `-- Written by prober lab: the local rate limit of this sidecar's ports (see sidecar-ratelimit.ts).
local buckets = {}

local function seconds()
  local now = core.now()
  return now.sec + now.usec / 1000000
end

-- Sets txn.rl_limited to 1 when the port's bucket holds no whole token, else takes one and sets 0.
core.register_action("local_ratelimit", { "http-req" }, function(txn, port, max_tokens, tokens_per_fill, fill_ms)
  local max = tonumber(max_tokens)
  local rate = tonumber(tokens_per_fill) * 1000 / tonumber(fill_ms)
  local now = seconds()
  local from = buckets[port] or (now - max / rate)
  local tokens = math.min(max, (now - from) * rate)
  if tokens < 1 then
    txn:set_var("txn.rl_limited", 1)
    return
  end
  buckets[port] = now - (tokens - 1) / rate
  txn:set_var("txn.rl_limited", 0)
end, 4)
`;

/** An HAProxy condition true for `numerator` out of `denominator` requests (Envoy's FractionalPercent draw), or none for all. */
function fraction(name: string, f: LocalRateLimit['enabled']): { acls: string[]; term: string } {
  if (f.numerator >= f.denominator) return { acls: [], term: '' };
  return { acls: [`  acl ${name} rand(${f.denominator}) lt ${f.numerator}`], term: ` ${name}` };
}

/** The limit in a line, for the configuration's comment. */
function describe(limit: LocalRateLimit): string {
  const share = (f: LocalRateLimit['enabled']) => `${(100 * f.numerator) / f.denominator} %`;
  return `${limit.maxTokens} tokens, ${limit.tokensPerFill} every ${limit.fillIntervalMs} ms, enabled ${share(limit.enabled)}, enforced ${share(limit.enforced)}`;
}

/**
 * The `http-request` rules of one HTTP port's limit, as Envoy's filter decides (source/extensions/
 * filters/http/local_ratelimit/local_ratelimit.cc, Filter::decodeHeaders): a request outside the
 * enabled fraction passes untouched and takes no token; one the bucket refuses is answered, if the
 * enforced fraction draws it, with the configured status, Envoy's body `local_rate_limited` (text/plain)
 * and `response_headers_to_add`, and no `x-envoy-ratelimited` (only the global rate limit filter sets
 * it); otherwise it passes. Nothing when the filter is disabled (Envoy's default).
 */
export function rateLimitRules(port: number, limit: LocalRateLimit): string[] {
  if (limit.enabled.numerator === 0) return [`  # ${limit.ref}: filter_enabled 0 %, limits nothing`];
  const enabled = fraction(`rl_enabled_${port}`, limit.enabled);
  const enforced = fraction(`rl_enforced_${port}`, limit.enforced);
  const headers = limit.responseHeaders.map((h) => ` hdr ${h.name} ${quote(h.value)}`).join('');
  const lines = [
    `  # ${limit.ref}: ${describe(limit)}`,
    ...enabled.acls,
    `  http-request lua.local_ratelimit ${port} ${limit.maxTokens} ${limit.tokensPerFill} ${limit.fillIntervalMs}${enabled.term ? ` if${enabled.term}` : ''}`,
  ];
  if (limit.enforced.numerator === 0) return lines;
  return [
    ...lines,
    ...enforced.acls,
    `  http-request return status ${limit.status} content-type text/plain string local_rate_limited${headers} if { var(txn.rl_limited) -m int eq 1 }${enforced.term}`,
  ];
}
