// The ReachabilityTest: the intent a person writes — named sources, named targets, expectation rules.

import type { AffinityCheck } from './affinity.ts';
import type { CheckKind } from './checks.ts';
import type { IpFamily } from './family.ts';
import type { Frozen } from './json-schema.ts';
import type { Verdict } from './outcome.ts';
import type { StatusListDocument } from './plan-schema.ts';
import type { RateLimitCheck } from './rate-limit.ts';
import type { TargetAddress } from './target.ts';

/** Where a piece of input came from, so errors and reports can point at it. */
interface Origin {
  readonly file: string;
  readonly line: number;
}

/** A named source: a real workload (namespace + label selector) or the place prober runs. */
export interface SourceSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly selector?: Readonly<Record<string, string>>;
  /** Probe from where prober itself runs (check mode). */
  readonly local: boolean;
  readonly origin?: Origin;
}

/** HTTP statuses, each an exact code or a class such as `2xx` (the schema's StatusCode, StatusClass). */
export type StatusSet = Frozen<StatusListDocument>;

/** How a deny observed on a target is trusted: `auto` needs proof the target is alive, `none` trusts it as-is. */
export type Liveness = 'auto' | 'none';

/**
 * A named target: a URL plus how to judge its replies. A target written with `family: both` is two
 * of these, one per family, named `redis (IPv4)` and `redis (IPv6)`.
 */
export interface TargetSpec {
  /** The name of its cells' column: the written name, with the family when the test asks for one. */
  readonly name: string;
  readonly address: TargetAddress;
  /** The IP family it is probed over; absent: what its name resolves to first. */
  readonly family?: IpFamily;
  /** The name as the test writes it, when `name` adds the family: what expectation rules match. */
  readonly written?: string;
  /** Statuses that mean "allowed" (default: any 2xx or 3xx). */
  readonly expectStatus?: StatusSet;
  /** Statuses that mean "denied by an L7 authorizer" (default: 401, 403). */
  readonly denyStatus?: StatusSet;
  readonly timeoutMs?: number;
  /** The settle window of a `tcp://` target (0: off); unset, the run's. */
  readonly settleMs?: number;
  /** The datagram a `udp://` target is sent, as hex; unset, the default `prober serve` recognises. */
  readonly payloadHex?: string;
  readonly liveness: Liveness;
  readonly origin?: Origin;
}

/** One expectation rule: `from` and `to` are names, globs (`redis-*`) or `*`. */
export interface ExpectRule {
  readonly name?: string;
  readonly from: string;
  readonly to: string;
  readonly verdict: Verdict;
  readonly origin?: Origin;
}

/** Where the policy model's expectations come from (files and directories, already resolved). */
export interface FromPolicies {
  readonly policies: readonly string[];
  readonly workloads: readonly string[];
}

/** Run defaults; every field has a value after loading. */
export interface RunDefaults {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly concurrency: number;
  /** The settle window of `tcp://` probes (0: off); unset, the default (see model/duration.ts). */
  readonly settleMs?: number;
}

/** A loaded, validated ReachabilityTest. */
export interface ReachabilityTest {
  readonly name: string;
  readonly file: string;
  readonly defaults: RunDefaults;
  readonly sources: readonly SourceSpec[];
  readonly targets: readonly TargetSpec[];
  /** The written rules; empty when the test says `expect: fromPolicies`. */
  readonly rules: readonly ExpectRule[];
  /** True when the policy model is the only expectation (`expect: fromPolicies`). */
  readonly expectFromPolicies: boolean;
  readonly fromPolicies?: FromPolicies;
  /** Checks beyond the matrix (`spec.checks`), in the order written; absent when there are none. */
  readonly checks?: readonly Check[];
}

/** A loaded check beyond the matrix, of any kind (model/checks.ts lists the kinds). */
export type Check = RateLimitCheck | AffinityCheck;

/** The check of one kind. */
export type CheckOf<K extends CheckKind> = Extract<Check, { readonly kind: K }>;

/** The name expectation rules match for a target: as the test writes it, whatever family it is probed over. */
export function ruleTargetName(target: Pick<TargetSpec, 'name' | 'written'>): string {
  return target.written ?? target.name;
}

export const DEFAULTS: RunDefaults = { timeoutMs: 2000, attempts: 2, concurrency: 64 };

/**
 * The most a ReachabilityTest file may hold (16 MiB): room for about a hundred thousand targets, and a
 * bound on what a stray `-f /dev/zero` or an endless pipe can make prober read.
 */
export const MAX_TEST_BYTES = 16 * 1024 * 1024;
export const DEFAULT_DENY_STATUS: StatusSet = [401, 403];
export const DEFAULT_EXPECT_STATUS: StatusSet = ['2xx', '3xx'];

/** True when `status` is in the set (exact code or class). */
export function statusIn(set: StatusSet, status: number): boolean {
  return set.some((entry) =>
    typeof entry === 'number' ? entry === status : Math.floor(status / 100) === Number(entry[0]),
  );
}
