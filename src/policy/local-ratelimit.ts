// Envoy's envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit, as an EnvoyFilter's typed_config holds it.
import type { Fields } from './fields.ts';
import type { Fraction, LocalRateLimit, ReplyHeader } from './spec.ts';

const TYPE = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const TYPED_STRUCTS = ['type.googleapis.com/udpa.type.v1.TypedStruct', 'type.googleapis.com/xds.type.v3.TypedStruct'];
/** FractionalPercent's DenominatorType (envoy/type/v3/percent.proto). */
const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };
const NONE: Fraction = { numerator: 0, denominator: 100 };

/** The key a field is written under: protobuf JSON accepts the proto name and its lowerCamelCase form. */
function key(fields: Fields, name: string): string {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (fields.has(name) && camel !== name && fields.has(camel)) fields.fail(`both ${name} and ${camel} are given`, name);
  return fields.has(camel) ? camel : name;
}

/** A protobuf Duration: `"1s"`, `"0.25s"`, or `{seconds, nanos}`; in milliseconds. */
function readDuration(fields: Fields, name: string): number | undefined {
  const k = key(fields, name);
  const raw = fields.raw(k);
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    const m = /^(\d+)(\.\d{1,9})?s$/.exec(raw);
    if (!m) fields.fail(`"${raw}" is not a protobuf Duration (seconds with an "s", e.g. 1s or 0.5s)`, k);
    return Number(m[1]) * 1000 + Number(`0${m[2] ?? ''}`) * 1000;
  }
  const d = fields.obj(k) ?? fields.fail('expected a Duration', k);
  const seconds = d.int('seconds') ?? 0;
  const nanos = d.int('nanos') ?? 0;
  d.done();
  return seconds * 1000 + nanos / 1e6;
}

/** A positive integer that may be a wrapper (`tokens_per_fill: 5` or `{value: 5}`, as protobuf JSON allows both). */
function readPositive(fields: Fields, name: string): number | undefined {
  const k = key(fields, name);
  const raw = fields.raw(k);
  let value: number | undefined;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const wrapper = fields.reqObj(k);
    value = wrapper.int('value');
    wrapper.done();
  } else value = fields.int(k);
  if (value !== undefined && value < 1) fields.fail('must be greater than 0 (Envoy refuses it)', k);
  return value;
}

/** A RuntimeFractionalPercent: its default value (a lab sidecar has no runtime overrides). Absent: 0 %. */
function readFraction(fields: Fields, name: string): Fraction {
  const f = fields.obj(key(fields, name));
  if (!f) return NONE;
  f.str(key(f, 'runtime_key'));
  const value = f.reqObj(key(f, 'default_value'));
  const numerator = value.int('numerator') ?? 0;
  const type = value.str('denominator') ?? 'HUNDRED';
  const denominator =
    DENOMINATORS[type] ?? value.fail(`unknown denominator "${type}" (HUNDRED, TEN_THOUSAND, MILLION)`, 'denominator');
  if (numerator < 0) value.fail('must not be negative', 'numerator');
  value.done();
  f.done();
  // Envoy caps a numerator above its denominator at the denominator (ProtobufPercentHelper::evaluateFractionalPercent).
  return { numerator: Math.min(numerator, denominator), denominator };
}

/** response_headers_to_add: literal headers only (a `%` would be a formatter, which the lab cannot evaluate). */
function readHeaders(fields: Fields, name: string): ReplyHeader[] {
  const k = key(fields, name);
  const headers =
    fields.objList(k, (option) => {
      const header = option.reqObj('header');
      const headerName = header.reqStr('key');
      const value = header.str('value') ?? '';
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(headerName)) header.fail(`"${headerName}" is not a header name`, 'key');
      if (/[%\r\n]/.test(value))
        header.fail('formatters (%…%) and line breaks are outside the supported subset', 'value');
      header.reject(key(header, 'raw_value'), 'raw values are outside the supported subset; use value');
      header.done();
      // The reply is Envoy's own: a header it did not have before is added whichever way it is appended.
      option.bool('append');
      option.str(key(option, 'append_action'));
      option.bool(key(option, 'keep_empty_value'));
      return { name: headerName.toLowerCase(), value };
    }) ?? [];
  if (headers.length > 10) fields.fail('at most 10 headers (Envoy refuses more)', k);
  return headers;
}

/** The config's own fields (a LocalRateLimit message), refusing those the lab cannot reproduce. */
function readMessage(c: Fields): Omit<LocalRateLimit, 'ref' | 'source' | 'port' | 'position'> {
  const statPrefix = c.str(key(c, 'stat_prefix'));
  if (!statPrefix) c.fail('is required and must not be empty (Envoy refuses it)', 'stat_prefix');
  for (const name of ['descriptors', 'rate_limits'])
    c.reject(key(c, name), 'descriptors (per-route or per-header buckets) are outside the supported subset');
  c.reject(key(c, 'max_dynamic_descriptors'), 'descriptors are outside the supported subset');
  c.reject(key(c, 'local_cluster_rate_limit'), 'a bucket shared across the cluster is outside the supported subset');
  c.reject(
    key(c, 'request_headers_to_add_when_not_enforced'),
    'request headers for limited but unenforced requests are outside the supported subset',
  );
  if (c.bool(key(c, 'local_rate_limit_per_downstream_connection')))
    c.fail('a bucket per connection is outside the supported subset', 'local_rate_limit_per_downstream_connection');
  if (c.bool(key(c, 'rate_limited_as_resource_exhausted')))
    c.fail('gRPC status codes are outside the supported subset', 'rate_limited_as_resource_exhausted');
  const xHeaders = c.str(key(c, 'enable_x_ratelimit_headers')) ?? 'OFF';
  if (xHeaders !== 'OFF')
    c.fail(`X-RateLimit headers (${xHeaders}) are outside the supported subset`, 'enable_x_ratelimit_headers');
  // Without descriptors these select nothing: read and checked, no effect.
  const stage = c.int('stage') ?? 0;
  if (stage < 0 || stage > 10) c.fail('must be within 0-10 (Envoy refuses it)', 'stage');
  c.str(key(c, 'vh_rate_limits'));
  c.bool(key(c, 'always_consume_default_token_bucket'));
  const status = c.obj('status');
  const code = status?.int('code') ?? 429;
  status?.done();
  if (code < 100 || code > 599) c.fail(`${code} is not an HTTP status`, 'status');
  const bucket = c.obj(key(c, 'token_bucket'));
  if (!bucket)
    c.fail(
      'is required: without it the filter limits only where a route gives a bucket, which is outside the supported subset',
      'token_bucket',
    );
  const maxTokens = readPositive(bucket, 'max_tokens') ?? bucket.fail('is required', 'max_tokens');
  const tokensPerFill = readPositive(bucket, 'tokens_per_fill') ?? 1;
  const fillIntervalMs = readDuration(bucket, 'fill_interval') ?? bucket.fail('is required', 'fill_interval');
  // source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc refuses a shorter interval.
  if (fillIntervalMs < 50) bucket.fail('must be at least 50ms (Envoy refuses a shorter one)', 'fill_interval');
  bucket.done();
  return {
    maxTokens,
    tokensPerFill,
    fillIntervalMs,
    // local_rate_limit.proto: "If this is set to < 400, 429 will be used instead."
    status: code < 400 ? 429 : code,
    enabled: readFraction(c, 'filter_enabled'),
    enforced: readFraction(c, 'filter_enforced'),
    responseHeaders: readHeaders(c, 'response_headers_to_add'),
  };
}

/** Reads a typed_config: the LocalRateLimit itself (`@type`), or wrapped in a TypedStruct (`type_url`, `value`). */
export function readLocalRateLimit(typed: Fields): Omit<LocalRateLimit, 'ref' | 'source' | 'port' | 'position'> {
  const type = typed.reqStr('@type');
  if (TYPED_STRUCTS.includes(type)) {
    const url = typed.reqStr('type_url');
    if (url !== `type.googleapis.com/${TYPE}`) typed.fail(`expected type.googleapis.com/${TYPE}`, 'type_url');
    const value = typed.reqObj('value');
    const out = readMessage(value);
    value.done();
    typed.done();
    return out;
  }
  if (type !== `type.googleapis.com/${TYPE}`)
    typed.fail(`expected type.googleapis.com/${TYPE} (or a TypedStruct holding it)`, '@type');
  const out = readMessage(typed);
  typed.done();
  return out;
}
