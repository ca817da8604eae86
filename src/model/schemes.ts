// What each probe scheme is, written once: its URL, transport, test-file options and where its traffic goes.

/** A target field of a test file that only some schemes take. */
export type TargetOption = 'expectStatus' | 'denyStatus' | 'settle' | 'payload';

/**
 * What a scheme's URL holds after the host: nothing (`tcp://host:port`), an HTTP request path with
 * its query (`http://host/path?q`), or the DNS question's options (`dns://name?server=…&over=…`).
 */
type UrlTail = 'none' | 'request-path' | 'dns-query';

/** The transport protocol as NetworkPolicy ports name it. */
export type Transport = 'TCP' | 'UDP';

/** One probe scheme. */
export interface SchemeDescriptor {
  /** The port a URL without one gets; absent: the URL must name a port (unless `noPort`). */
  readonly defaultPort?: number;
  /** Set when the URL names no port at all; the text says where the port goes instead. */
  readonly noPort?: string;
  /** What the URL may hold after the host (anything else is refused at load). */
  readonly urlTail: UrlTail;
  /** The protocol its packets use, which the policies' port rules are matched on. */
  readonly transport: Transport;
  /** The target fields of a test file that apply to it; the others are refused at load. */
  readonly options: readonly TargetOption[];
  /**
   * Where its traffic goes. `named-host`: the URL's host and port, which the policy model places on a
   * Service or workload and the backends check for ready endpoints. `resolver`: the source's
   * nameserver (in a cluster, kube-dns), not the named host: the model places it on the cluster DNS,
   * endpoint checks skip it, and a target's family names the record it asks for, not the transport's.
   */
  readonly reaches: 'named-host' | 'resolver';
  /**
   * Set when its probe sends a GET a sidecar can read (HTTP without TLS): AuthorizationPolicy `methods`,
   * `paths` and `hosts` judge it. An https:// request is inside TLS, which the sidecar only passes on.
   */
  readonly clearHttp?: true;
}

/**
 * Every scheme a target URL can name, in the order messages list them. Adding a row here (and its
 * prober in `src/probe/probers.ts`, which the compiler asks for) is what adding a scheme takes.
 */
export const SCHEMES = {
  tcp: { urlTail: 'none', transport: 'TCP', options: ['settle'], reaches: 'named-host' },
  udp: { urlTail: 'none', transport: 'UDP', options: ['payload'], reaches: 'named-host' },
  http: {
    defaultPort: 80,
    urlTail: 'request-path',
    transport: 'TCP',
    options: ['expectStatus', 'denyStatus'],
    reaches: 'named-host',
    clearHttp: true,
  },
  https: {
    defaultPort: 443,
    urlTail: 'request-path',
    transport: 'TCP',
    options: ['expectStatus', 'denyStatus'],
    reaches: 'named-host',
  },
  redis: { defaultPort: 6379, urlTail: 'none', transport: 'TCP', options: [], reaches: 'named-host' },
  // A name is asked of the source's resolver over UDP (53/UDP in a cluster), or of a named server.
  dns: {
    noPort: 'a server is named by ?server=IP:PORT',
    urlTail: 'dns-query',
    transport: 'UDP',
    options: [],
    reaches: 'resolver',
  },
} as const satisfies Record<string, SchemeDescriptor>;

/** The protocols a target URL can name. */
export type Scheme = keyof typeof SCHEMES;

/** Every scheme, in the table's order. */
export const SCHEME_NAMES = Object.keys(SCHEMES) as readonly Scheme[];

/** Schemes a URL may name that no probe can carry out, with why (the policy model still reads them). */
export const UNPROBEABLE: Readonly<Record<string, string>> = {
  sctp: 'Node cannot open SCTP sockets (`prober simulate` models SCTP policies)',
};

/** The descriptor of `scheme`. */
export function schemeOf(scheme: Scheme): SchemeDescriptor {
  return SCHEMES[scheme];
}

/** Whether `text` (lower case) is a scheme prober probes. */
export function isScheme(text: string): text is Scheme {
  return Object.hasOwn(SCHEMES, text);
}

/** Whether a `scheme` target takes `option`. */
export function takesOption(scheme: Scheme, option: TargetOption): boolean {
  return schemeOf(scheme).options.includes(option);
}

/** The schemes that take `option`. */
export function schemesTaking(option: TargetOption): Scheme[] {
  return SCHEME_NAMES.filter((scheme) => takesOption(scheme, option));
}

/**
 * Scheme names for a sentence, a scheme and the same with an `s` (http, https) written once as
 * `http(s)`: `schemeNames(['tcp', 'http', 'https'], '://')` is `['tcp://', 'http(s)://']`.
 */
export function schemeNames(schemes: readonly string[], suffix = ''): string[] {
  return schemes
    .filter((scheme) => !(scheme.endsWith('s') && schemes.includes(scheme.slice(0, -1))))
    .map((scheme) => `${scheme}${schemes.includes(`${scheme}s`) ? '(s)' : ''}${suffix}`);
}

/** `a, b or c`. */
export function oneOf(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

const OPTION_REFUSALS: Readonly<Record<TargetOption, (takers: string[], scheme: Scheme) => string>> = {
  expectStatus: (takers, scheme) => `only applies to ${oneOf(schemeNames(takers))} targets, not ${scheme}://`,
  denyStatus: (takers, scheme) => `only applies to ${oneOf(schemeNames(takers))} targets, not ${scheme}://`,
  payload: (takers, scheme) => `only applies to ${oneOf(schemeNames(takers))} targets, not ${scheme}://`,
  settle: (takers, scheme) =>
    `only applies to ${oneOf(schemeNames(takers, '://'))} targets; ${scheme}:// probes judge their own exchange`,
};

/** Why `option` is refused on a `scheme` target; undefined when the scheme takes it. */
export function optionRefusal(option: TargetOption, scheme: Scheme): string | undefined {
  if (takesOption(scheme, option)) return undefined;
  return OPTION_REFUSALS[option](schemesTaking(option), scheme);
}
