// What a probe observed and why: the outcome vocabulary every backend and report shares.

/** The intended or computed verdict of a cell. */
export type Verdict = 'allow' | 'deny';

/** What a probe observed. `error` means the check itself failed and is never a deny. */
export type Observed = Verdict | 'error';

/** A reason for an HTTP outcome, e.g. `http-200` or `http-403`. */
type HttpReason = `http-${number}`;

/**
 * Reasons an observation is an allow: the handshake completed and, for protocols, a valid reply came back.
 * @public test/project/outcome-table.test.ts reads its members from `export type`.
 */
export type AllowReason =
  | 'connected'
  /** (`udp://`) a datagram came back from the target. */
  | 'replied'
  | 'pong'
  | 'redis-error'
  /** A DNS server answered with records (or NOERROR and none: the detail says so). */
  | 'resolved'
  /** A DNS server answered that the name does not exist: the path to it is open. */
  | 'nxdomain'
  | HttpReason;

/**
 * Reasons an observation is a deny: the network or an L7 authorizer refused.
 * @public test/project/outcome-table.test.ts reads its members from `export type`.
 */
export type DenyReason =
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'closed'
  | 'unreachable'
  | 'blocked'
  /** A DNS server answered REFUSED: it declines to serve this source or name, an application-level deny. */
  | 'dns-refused'
  | HttpReason;

/** Reasons an observation is an error: the check could not decide. */
export type ErrorReason =
  | 'dns'
  /** The target asks for an IP family its name has no address of. */
  | 'no-address'
  /** A DNS server answered SERVFAIL (or another failure code): it could not say, so neither can the probe. */
  | 'dns-servfail'
  /**
   * The source's own stack refused to connect before anything was sent: no route, or a local
   * `unreachable`, `prohibit` or `blackhole` route. Not an answer from the network under test.
   */
  | 'no-route'
  | 'bad-target'
  | 'tls'
  | 'protocol'
  | 'agent'
  | 'source'
  | 'target-down'
  | 'undecidable'
  | 'internal'
  /** The run was interrupted (SIGINT/SIGTERM) before this probe could finish. */
  | 'interrupted'
  | HttpReason;

export type Reason = AllowReason | DenyReason | ErrorReason;

/** The result of probing one target once or several times. Probes return these and never throw. */
export interface ProbeResult {
  /** The exact URL probed, so a person can repeat the check by hand. */
  readonly url: string;
  readonly observed: Observed;
  readonly reason: Reason;
  /** Duration of the last attempt in milliseconds. */
  readonly latencyMs: number;
  /** How many attempts were made (≥ 1). */
  readonly attempts: number;
  /** A short human-readable detail: the error code, the reply, the peer address. */
  readonly detail?: string;
}

/** The outcome of comparing one cell's expectation with its observation. */
export type CellResult = 'pass' | 'fail' | 'error' | 'unchecked';

/**
 * True when a deny is itself an answer from the target (an HTTP status, a DNS REFUSED): it proves the
 * target alive, so trust rule 2 needs no other proof.
 */
export function isAnsweredDeny(reason: string): boolean {
  return isHttpReason(reason) || reason === 'dns-refused';
}

/** True when a reason string names an HTTP status, e.g. `http-403`. */
function isHttpReason(reason: string): reason is HttpReason {
  return /^http-\d{3}$/.test(reason);
}
