// An Istio-like mesh in the fake cluster: a mutating webhook that injects a classic `istio-proxy` sidecar
// into pods created in a namespace labelled for injection, or marked by their own label or annotation
// (istio pkg/kube/inject/inject.go injectRequired), and a proxy that captures the pod's outbound TCP
// from the moment the pod starts, as istio-init's iptables rules do, while it becomes ready only later.
// Until then every outbound connection is redirected to port 15001, where nothing listens yet
// (connection refused, as a probe meets an Envoy that is not up), and a real HTTP server in the pod's
// network namespace answers 503 on 15021 /healthz/ready. The race is decided the way it goes wrong in
// a real pod, every time: the proxy gets ready `readyAfterMs` after its readiness is first asked, so
// a container that probes without asking always meets the capture.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ContainerHandle } from './kubelet.ts';

type Json = Record<string, any>;

/** The proxy container the webhook adds, as Istio's sidecar template has it (the parts prober reads). */
export function istioProxyContainer(): Json {
  return {
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.27.0',
    args: ['proxy', 'sidecar'],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, failureThreshold: 4 },
  };
}

/** The injector's record on an injected pod: what it added. */
const STATUS = JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: [] });

/** Makes a stored workload pod look as the webhook left it when it was created: proxy and status. */
export function injectedWorkload(pod: Json, annotations: Record<string, string> = {}): void {
  pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations, 'sidecar.istio.io/status': STATUS };
  pod.spec.containers.push(istioProxyContainer());
}

const TRUE = new Set(['y', 'yes', 'true', 'on']);

/**
 * The ready endpoint, inside the pod's namespace: 503 until a line arrives on stdin, then 200; it says
 * "asked" on stdout at the first readiness request.
 */
const HEALTH_SERVER = `
let ready = false;
let asked = false;
require('node:readline').createInterface({ input: process.stdin }).on('line', () => { ready = true; });
require('node:http').createServer((req, res) => {
  if (!asked && req.url === '/healthz/ready') { asked = true; process.stdout.write('asked\\n'); }
  res.writeHead(ready && req.url === '/healthz/ready' ? 200 : 503).end();
}).listen(15021, '127.0.0.1');
`;

/** One running proxy: its health server and the capture table in its namespace. */
interface Proxy {
  readonly server: ChildProcess;
  readonly netns: string;
  readonly table: string;
  timer?: NodeJS.Timeout;
}

/** The mesh: webhook, sidecar runner, and what it did, for assertions. */
export class FakeMesh {
  /** Namespaces labelled `istio-injection=enabled`. */
  readonly #injecting = new Set<string>();
  readonly #proxies = new Map<string, Proxy>();
  /** How long after its readiness is first asked the proxy becomes ready; Infinity: never. */
  readyAfterMs = 1000;
  /** Every created pod as sent, before the webhook's mutation, and whether it added the proxy. */
  readonly admitted: { sent: Json; injected: boolean }[] = [];

  enableInjection(namespace: string): void {
    this.#injecting.add(namespace);
  }

  /** The webhook: decides as injectRequired does and adds the sidecar and the status annotation. */
  admit(pod: Json, namespace: string): void {
    const sent = structuredClone(pod);
    const meta = pod.metadata ?? {};
    const selector = String(
      meta.labels?.['sidecar.istio.io/inject'] ?? meta.annotations?.['sidecar.istio.io/inject'] ?? '',
    );
    const inject =
      !pod.spec?.hostNetwork && (selector ? TRUE.has(selector.toLowerCase()) : this.#injecting.has(namespace));
    if (inject) {
      meta.annotations = { ...meta.annotations, 'sidecar.istio.io/status': STATUS };
      pod.spec.containers.push(istioProxyContainer());
    }
    this.admitted.push({ sent, injected: inject });
  }

  /** Whether this container is the proxy the mesh runs (not the kubelet's agent runner). */
  runs(container: Json): boolean {
    return container.name === 'istio-proxy';
  }

  /** Starts the proxy in the pod's namespace: capture first, readiness after `readyAfterMs`. */
  start(handle: ContainerHandle): void {
    const pod = handle.pod as Json;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const report = (ready: boolean): void => {
      const statuses = ((pod.status.containerStatuses ?? []) as Json[]).filter((s) => s.name !== 'istio-proxy');
      const state = { running: { startedAt } };
      statuses.push({
        name: 'istio-proxy',
        image: handle.container.image,
        imageID: '',
        ready,
        restartCount: 0,
        started: true,
        state,
        lastState: {},
      });
      pod.status.containerStatuses = statuses;
      handle.changed();
    };
    if (!handle.netns) {
      report(true);
      return;
    }
    const table = `prober_mesh_${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'exec', handle.netns, 'nft', '-f', '-'], {
      input: `table ip ${table} {
        chain output {
          type nat hook output priority -100; policy accept;
          ip daddr 127.0.0.0/8 return
          meta l4proto tcp redirect to :15001
        }
      }`,
    });
    const server = spawn('ip', ['netns', 'exec', handle.netns, process.execPath, '-e', HEALTH_SERVER], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const proxy: Proxy = { server, netns: handle.netns, table };
    this.#proxies.set(key, proxy);
    report(false);
    if (!Number.isFinite(this.readyAfterMs)) return;
    server.stdout?.once('data', () => {
      proxy.timer = setTimeout(() => {
        // Envoy is up: connections now pass through it, as if not redirected at all, and it reports ready.
        this.#uncapture(proxy);
        server.stdin?.write('ready\n');
        report(true);
      }, this.readyAfterMs);
    });
  }

  #uncapture(proxy: Proxy): void {
    try {
      execFileSync('ip', ['netns', 'exec', proxy.netns, 'nft', 'delete', 'table', 'ip', proxy.table], {
        stdio: 'ignore',
      });
    } catch {
      // The namespace is already gone.
    }
  }

  /** The pod is gone: its proxy stops and its capture goes with it. */
  stop(pod: Json): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const proxy = this.#proxies.get(key);
    if (!proxy) return;
    this.#proxies.delete(key);
    clearTimeout(proxy.timer);
    this.#uncapture(proxy);
    proxy.server.kill('SIGKILL');
  }

  /** Stops every proxy (server shutdown). */
  stopAll(): void {
    for (const key of [...this.#proxies.keys()]) {
      const [namespace, name] = key.split('/');
      this.stop({ metadata: { namespace, name } });
    }
  }
}
