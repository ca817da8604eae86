// Finding the cluster like kubectl does: --kubeconfig, else $KUBECONFIG's files merged, else ~/.kube/config,
// and the pod's service account only when none of them holds anything (client-go DeferredLoadingClientConfig).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { InputStream } from '../model/io.ts';
import { ClusterError } from './cluster-error.ts';
import { useExecPlugin } from './exec-credential.ts';
import { type Impersonation, impersonationProblem } from './impersonation.ts';
import { isEmptyKubeconfig, kubeconfigFiles, loadKubeconfigs, type MergedKubeconfig } from './kubeconfig.ts';
import { proxyFor } from './proxy-env.ts';

/** Where the service account of a pod is mounted (client-node reads the same path). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** kubectl's flags for every request: `--as`, `--as-group` (repeatable) and `--request-timeout`. */
export interface AccessOptions {
  /** `--as`: the user (or `system:serviceaccount:NS:NAME`) every request acts as. */
  readonly as?: string;
  /** `--as-group`: the groups it acts with; only with `as`. */
  readonly asGroups?: readonly string[];
  /** `--request-timeout`: the deadline of each request, in place of prober's 30 s. */
  readonly requestTimeoutMs?: number;
}

/** How the user asked to connect. */
export interface ConnectOptions extends AccessOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Prefix for the service-account directory; tests point it at a temp dir. */
  readonly serviceAccountPrefix?: string;
  /** The environment kubectl would read: KUBECONFIG, HOME, the proxy variables, the pod's service host; exec plugins inherit it. */
  readonly env: NodeJS.ProcessEnv;
  /** prober's stdin, which an interactive exec plugin reads (as kubectl gives it the terminal); none: not a terminal. */
  readonly stdin?: InputStream;
}

/** A resolved connection: client-node's config plus what reports and defaults need. */
export interface Connection {
  readonly kubeConfig: KubeConfig;
  /** `kind-lab (https://127.0.0.1:6443)` or `in-cluster (https://10.96.0.1:443)`. */
  readonly description: string;
  /** The API server as messages name it: its URL, and the proxy that reaches it when the environment names one. */
  readonly server: string;
  /** The namespace sources without one use when `-n` is not given (the context's, else `default`). */
  readonly namespace: string;
  /** True when prober runs in a pod with its service account (the Job, `kubectl run`). */
  readonly inCluster: boolean;
  /** `--as`/`--as-group`: whom every request acts as. */
  readonly impersonation?: Impersonation;
  /** `--request-timeout`: each request's deadline. */
  readonly requestTimeoutMs?: number;
}

/** No way to reach a cluster, or a kubeconfig that does not work; printed as one line, exit 2. */
export class ConnectionError extends ClusterError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/**
 * Resolves how to talk to the cluster, as kubectl does (client-go merged_client_builder.go,
 * DeferredLoadingClientConfig.ClientConfig): the kubeconfig files (kubeconfig.ts) when they hold anything,
 * also inside a pod; the pod's service account only when they hold nothing (none exists, or all are
 * empty) and no `--context` was asked for. Throws a ClusterError with a one-line reason.
 */
/** Where a command reaches its cluster, as its flags say: `--as`/`--as-group`, `--kubeconfig`, `--context`. */
export interface ClusterAddress {
  readonly access?: AccessOptions;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/** `connect` for a command's flags, with the environment and stdin an exec plugin gets. */
export function connectTo(address: ClusterAddress, env: NodeJS.ProcessEnv, stdin?: InputStream): Connection {
  return connect({
    ...address.access,
    ...(address.kubeconfig !== undefined ? { kubeconfig: address.kubeconfig } : {}),
    ...(address.context !== undefined ? { context: address.context } : {}),
    env,
    ...(stdin !== undefined ? { stdin } : {}),
  });
}

export function connect(options: ConnectOptions): Connection {
  const problem = impersonationProblem(options.as, options.asGroups ?? []);
  if (problem) throw new ConnectionError(problem);
  const resolved = resolve(options);
  const access = {
    ...(options.as !== undefined ? { impersonation: { user: options.as, groups: options.asGroups ?? [] } } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  };
  // Messages and reports say whom prober acted as: a 403 then reads as that user's, not the kubeconfig's.
  const description = options.as !== undefined ? `${resolved.description} as ${options.as}` : resolved.description;
  return { ...resolved, ...access, description };
}

/** The connection the kubeconfig or the service account gives, before `--as` and `--request-timeout`. */
function resolve(options: ConnectOptions): Connection {
  const { env, stdin } = options;
  const saDir = `${options.serviceAccountPrefix ?? ''}${SERVICE_ACCOUNT_DIR}`;
  const files = kubeconfigFiles(options.kubeconfig, env);
  const merged = loadKubeconfigs(files, Boolean(options.kubeconfig));
  if (!isEmptyKubeconfig(merged)) return withProxy(fromKubeconfig(merged, options.context, env, stdin), env);
  const inCluster =
    Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) && existsSync(join(saDir, 'token'));
  if (inCluster && !options.context)
    return withProxy(fromServiceAccount(options.serviceAccountPrefix ?? '', saDir), env);
  if (options.context) throw new ConnectionError(`context "${options.context}" is not in the kubeconfig (known: none)`);
  throw new ConnectionError(
    `no Kubernetes connection: not running in a pod with a service account, and no kubeconfig (pass --kubeconfig, set $KUBECONFIG, or create ~/.kube/config)`,
  );
}

/**
 * Routes the connection through the proxy kubectl would use: client-node honours the kubeconfig's
 * `proxy-url` but not HTTPS_PROXY/NO_PROXY, so the proxy they name becomes the cluster's `proxy-url`.
 */
function withProxy(connection: Connection, env: NodeJS.ProcessEnv): Connection {
  const { kubeConfig } = connection;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster || cluster.proxyUrl) return connection;
  const proxyUrl = proxyFor(cluster.server, env);
  if (!proxyUrl) return connection;
  kubeConfig.loadFromOptions({
    clusters: kubeConfig.getClusters().map((c) => (c === cluster ? { ...c, proxyUrl } : c)),
    contexts: kubeConfig.getContexts(),
    users: kubeConfig.getUsers(),
    currentContext: kubeConfig.getCurrentContext(),
  });
  return { ...connection, server: `${connection.server} (through proxy ${withoutPassword(proxyUrl)})` };
}

/** A proxy URL fit for a message: its user name and password left out. */
function withoutPassword(proxyUrl: string): string {
  try {
    const url = new URL(proxyUrl);
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return 'from the environment';
  }
}

function fromServiceAccount(prefix: string, saDir: string): Connection {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromCluster(prefix);
  } catch (cause) {
    throw new ConnectionError(`unable to use the pod's service account in ${saDir}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const server = kubeConfig.getCurrentCluster()?.server ?? '?';
  const namespaceFile = join(saDir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() || 'default' : 'default';
  return { kubeConfig, description: `in-cluster (${server})`, server, namespace, inCluster: true };
}

function fromKubeconfig(
  merged: MergedKubeconfig,
  context: string | undefined,
  env: NodeJS.ProcessEnv,
  stdin: InputStream | undefined,
): Connection {
  const kubeConfig = new KubeConfig();
  const { userFiles, files, ...config } = merged;
  try {
    // JSON is YAML: client-node turns the merged file format into its own objects, as it reads a file.
    kubeConfig.loadFromString(JSON.stringify(config));
  } catch (cause) {
    throw new ConnectionError(
      `unable to use kubeconfig ${files.join(', ')}: ${(cause as Error).message.split('\n')[0]}`,
      { cause },
    );
  }
  if (context) {
    if (!kubeConfig.getContextObject(context)) {
      const known =
        kubeConfig
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      throw new ConnectionError(`context "${context}" is not in the kubeconfig (known: ${known})`);
    }
    kubeConfig.setCurrentContext(context);
  }
  const name = kubeConfig.getCurrentContext();
  const current = name ? kubeConfig.getContextObject(name) : null;
  if (!current)
    throw new ConnectionError(`the kubeconfig (${files.join(', ')}) has no current context; pass --context`);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    throw new ConnectionError(
      `context "${name}" names cluster "${current.cluster}", which the kubeconfig does not define`,
    );
  useExecPlugin(kubeConfig, userFiles, env, stdin);
  return {
    kubeConfig,
    description: `${name} (${cluster.server})`,
    server: cluster.server,
    namespace: current.namespace || 'default',
    inCluster: false,
  };
}
