// kubectl's flags for how every API request is made, on each command that talks to a cluster: `--as`,
// `--as-group` (repeatable) and `--request-timeout`, parsed as kubectl parses them.

import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import type { AccessOptions } from '../cluster/connection.ts';
import { impersonationProblem } from '../cluster/impersonation.ts';
import { type DurationRange, parseDuration } from '../model/duration.ts';
import { quoteName } from '../model/k8s-names.ts';
import { UsageError } from '../orchestration/usage-error.ts';
import { collect, rangeText } from './options.ts';

/**
 * One request's deadline (`--request-timeout`): a second to ten minutes. kubectl's default and its `0`
 * mean no deadline; prober bounds every network call, so `0` is refused and the default stays 30 s.
 */
const REQUEST_TIMEOUT: DurationRange = { what: 'a request timeout', minMs: 1000, maxMs: 600_000 };

/**
 * Parser of `--request-timeout`, as client-go's clientcmd.ParseTimeout: a whole number is seconds,
 * anything else a Go duration (`30s`, `1m`).
 */
export function requestTimeoutFlag(value: string): number {
  const text = value.trim();
  const asGo = /^\d+$/.test(text) ? `${text}s` : text;
  const parsed = parseDuration(asGo, REQUEST_TIMEOUT);
  if (parsed.ok) return parsed.ms;
  // A valid duration without a digit other than 0 is kubectl's "no timeout".
  if (!/[1-9]/.test(text) && parseDuration(asGo, { ...REQUEST_TIMEOUT, minMs: 0 }).ok)
    throw new UsageError(
      `--request-timeout: "${value}" means no deadline in kubectl; prober bounds every request (${rangeText(REQUEST_TIMEOUT)}, default 30s)`,
    );
  throw new UsageError(`--request-timeout: ${parsed.error.replace(quoteName(asGo), quoteName(value))}`);
}

/** Adds `--as`, `--as-group` and `--request-timeout`; the option types grow by `as`, `asGroup`, `requestTimeout`. */
export function addAccessOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option('--as <user>', 'act as this user or system:serviceaccount:NS:NAME (needs the impersonate verb)')
    .addOption(
      new Option('--as-group <group>', 'act with this group as well, repeatable (needs --as)')
        .argParser(collect)
        .default([] as string[], 'none'),
    )
    .addOption(
      new Option(
        '--request-timeout <duration>',
        `deadline of each API request, e.g. 10s or 1m (${rangeText(REQUEST_TIMEOUT)}; a bare number is seconds)`,
      ).argParser(requestTimeoutFlag),
    );
}

/** The access flags as `connect` takes them; `--as-group` without `--as` is a usage error, as in kubectl. */
export function accessFlags(opts: {
  readonly as?: string | undefined;
  readonly asGroup: readonly string[];
  readonly requestTimeout?: number | undefined;
}): AccessOptions {
  const problem = impersonationProblem(opts.as, opts.asGroup);
  if (problem) throw new UsageError(problem);
  return {
    ...(opts.as !== undefined ? { as: opts.as } : {}),
    ...(opts.asGroup.length > 0 ? { asGroups: [...opts.asGroup] } : {}),
    ...(opts.requestTimeout !== undefined ? { requestTimeoutMs: opts.requestTimeout } : {}),
  };
}
