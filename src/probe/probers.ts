// The prober of each scheme: one attempt at a parsed address, its module loaded on first use.

import type { IpFamily } from '../model/family.ts';
import type { Scheme } from '../model/schemes.ts';
import type { TargetAddress } from '../model/target.ts';
import type { StatusSet } from '../model/test-spec.ts';
import type { Attempt } from './classify.ts';
import { tcpAttempt } from './tcp.ts';

/** What one attempt may need; each prober reads its own fields and ignores the rest. */
export interface AttemptOptions {
  readonly timeoutMs: number;
  /** The settle window of `tcp://` probes (0: off); unset, the default. Other schemes ignore it. */
  readonly settleMs?: number | undefined;
  readonly expectStatus?: StatusSet | undefined;
  readonly denyStatus?: StatusSet | undefined;
  /** The IP family to probe over (the name is resolved for it); absent: what the name resolves to first. */
  readonly family?: IpFamily | undefined;
  /** The datagram of a `udp://` probe, as hex; undefined sends the default one. */
  readonly payloadHex?: string | undefined;
  /** Aborts the probe at once (SIGINT/SIGTERM): sockets are destroyed, the result is `error/interrupted`. */
  readonly signal?: AbortSignal | undefined;
}

/** One attempt of a scheme's probe. Never rejects: every failure is an `Attempt` with a reason. */
export type Prober = (address: TargetAddress, options: AttemptOptions) => Promise<Attempt>;

/**
 * Every scheme's prober; the type makes a scheme of `src/model/schemes.ts` without one a compile error.
 * Protocol modules load on first use: an agent probing only TCP never pays for Node's HTTP and TLS
 * stacks at start-up. TCP itself is loaded at once and returns its attempt directly: a TCP probe (the
 * most common, thousands per agent) pays no extra promise on its way.
 */
export const PROBERS: { readonly [S in Scheme]: Prober } = {
  tcp: (address, o) => tcpAttempt(address, o.timeoutMs, o.settleMs, o.signal),
  udp: (address, o) => import('./udp.ts').then((m) => m.udpAttempt(address, o.timeoutMs, o.payloadHex, o.signal)),
  http: (address, o) => import('./http.ts').then((m) => m.httpAttempt(address, o.timeoutMs, o, o.signal)),
  https: (address, o) => import('./http.ts').then((m) => m.httpAttempt(address, o.timeoutMs, o, o.signal)),
  redis: (address, o) => import('./redis.ts').then((m) => m.redisAttempt(address, o.timeoutMs, o.signal)),
  dns: (address, o) => import('./dns.ts').then((m) => m.dnsAttempt(address, o.timeoutMs, o.signal)),
};
