// Mesh membership of a probe pod: the injector's inputs it copies from the source, and whether its agent
// must wait for a classic sidecar proxy before probing.

import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { ProxyReady } from '../model/plan.ts';

/**
 * Annotations a sidecar injector reads to decide whether and how to inject a pod, and how its traffic is
 * captured (Istio's `sidecar.istio.io/inject`, `proxy.istio.io/config`, `traffic.sidecar.istio.io/*`;
 * Linkerd's `linkerd.io/inject`, `config.linkerd.io/*`). Exact keys, and prefixes ending in `/`.
 */
const INJECTOR_INPUTS = [
  'sidecar.istio.io/',
  'proxy.istio.io/config',
  'traffic.sidecar.istio.io/',
  'status.sidecar.istio.io/port',
  'readiness.status.sidecar.istio.io/',
  'inject.istio.io/templates',
  'linkerd.io/inject',
  'config.linkerd.io/',
  'config.alpha.linkerd.io/',
];

/**
 * What an injector wrote on the source when it injected it. Copied onto a new pod they describe containers
 * that pod does not have: Istio reads `sidecar.istio.io/status` as the record of an earlier injection to
 * strip; Linkerd's and ambient mode's markers claim a proxy or a redirection that was never set up.
 */
const INJECTOR_OUTPUTS = new Set([
  'sidecar.istio.io/status',
  'linkerd.io/proxy-version',
  'linkerd.io/created-by',
  'linkerd.io/identity-mode',
  'linkerd.io/trust-root-sha256',
  'ambient.istio.io/redirection',
]);

const isInput = (key: string): boolean =>
  !INJECTOR_OUTPUTS.has(key) &&
  INJECTOR_INPUTS.some((input) => (input.endsWith('/') ? key.startsWith(input) : key === input));

/** The source's annotations that decide sidecar injection and traffic capture, and nothing the injector wrote. */
export function meshAnnotations(source: V1Pod): Record<string, string> {
  const copied: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.metadata?.annotations ?? {})) if (isInput(key)) copied[key] = value;
  return copied;
}

/** The sidecar proxies prober knows, by container name, with the readiness endpoint each serves by default. */
const PROXIES: Readonly<Record<string, { mesh: string; port: number; path: string }>> = {
  'istio-proxy': { mesh: 'Istio', port: 15021, path: '/healthz/ready' },
  'linkerd-proxy': { mesh: 'Linkerd', port: 4191, path: '/ready' },
};

/** The source's sidecar proxy: which mesh, whether it is native (an init container that keeps running), and its container. */
export interface Sidecar {
  readonly mesh: string;
  readonly native: boolean;
  readonly container: V1Container;
}

/** The mesh proxy the source pod runs, if any. */
export function sidecarOf(source: V1Pod): Sidecar | undefined {
  const isProxy = (c: V1Container): boolean => Object.hasOwn(PROXIES, c.name);
  const classic = source.spec?.containers.find(isProxy);
  if (classic) return { mesh: PROXIES[classic.name]?.mesh ?? '', native: false, container: classic };
  const native = source.spec?.initContainers?.find((c) => isProxy(c) && c.restartPolicy === 'Always');
  return native ? { mesh: PROXIES[native.name]?.mesh ?? '', native: true, container: native } : undefined;
}

/**
 * What the probe pod's agent must wait for before its first probe: with a classic sidecar, traffic
 * capture starts before the proxy listens, so a probe sent earlier fails as if a policy denied it. A
 * native sidecar needs no wait (the kubelet starts the agent only once the proxy's startup probe
 * passed), nor does a pod outside the mesh. The endpoint is the one the proxy's own readiness probe
 * uses (Istio 15021 `/healthz/ready`, Linkerd 4191 `/ready` by default).
 */
export function proxyReadyFor(source: V1Pod, deadlineMs: number): ProxyReady | undefined {
  const sidecar = sidecarOf(source);
  if (!sidecar || sidecar.native) return undefined;
  const known = PROXIES[sidecar.container.name];
  const probe = sidecar.container.readinessProbe?.httpGet;
  const port = typeof probe?.port === 'number' ? probe.port : (known?.port ?? 15021);
  const path = probe?.path ?? known?.path ?? '/';
  return { mesh: sidecar.mesh, url: `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`, deadlineMs };
}
