// Exec credential plugins (client.authentication.k8s.io), run as kubectl runs them (client-go's
// plugin/pkg/client/auth/exec): once for any number of concurrent first calls, with KUBERNETES_EXEC_INFO,
// the credential kept until its expirationTimestamp, and a missing binary reported once, never retried.

import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import type { InputStream } from '../model/io.ts';
import { KubeApiError } from './api-error.ts';
import { ClusterError } from './cluster-error.ts';
import type { KubeCall } from './kube-api.ts';

/** The API versions of ExecCredential kubectl accepts (v1alpha1 is gone). */
const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** The most a plugin may print on standard output: a credential with a client certificate is a few KiB. */
export const EXEC_OUTPUT_MAX_BYTES = 2 ** 20;

/** Plugins running now, each its own process group when not interactive: killed, group and all, when prober exits. */
const running = new Map<ChildProcess, boolean>();

/** Kills a plugin, and when it leads a process group of its own everything it started (even after it exited). */
function kill(child: ChildProcess, ownGroup: boolean): void {
  if (child.pid === undefined) return;
  if (!ownGroup && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    process.kill(ownGroup ? -child.pid : child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

let exitHook = false;

/** Registers, once, the exit hook that leaves no plugin behind (SIGINT, SIGTERM, an error: every exit runs it). */
function killPluginsOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const [child, ownGroup] of running) kill(child, ownGroup);
  });
}

/** A plugin that could not give a credential: the message is the whole story, in one line. */
export class ExecPluginError extends ClusterError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecPluginError';
  }
}

/** A call that had no credential to send: the API server was never asked, and asking again cannot help. */
export class CredentialError extends KubeApiError {
  constructor(call: KubeCall, cause: ExecPluginError) {
    super(call, undefined, 'ExecPluginFailed', cause.message, { cause });
    this.name = 'CredentialError';
  }

  override get transient(): boolean {
    return false;
  }
}

/** A user's `exec` block as the kubeconfig writes it. */
interface ExecConfig {
  readonly command?: string;
  readonly args?: string[];
  readonly env?: { name: string; value: string }[] | null;
  readonly apiVersion?: string;
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  readonly interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

interface Credential {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Milliseconds since the epoch; undefined: valid for the whole run. */
  readonly expires?: number;
}

/** The cluster as `spec.cluster` of KUBERNETES_EXEC_INFO describes it (provideClusterInfo). */
function clusterInfo(cluster: Cluster): Record<string, unknown> {
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return {
    server: cluster.server,
    ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
    ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(ca ? { 'certificate-authority-data': ca } : {}),
    ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
  };
}

/**
 * The credential plugin of one kubeconfig user, as a client-node authenticator. `file` is the
 * kubeconfig that defines the user: a command with a slash is relative to its directory.
 */
class ExecCredentialPlugin {
  readonly #user: string;
  readonly #exec: ExecConfig;
  readonly #command: string;
  readonly #cluster: Cluster;
  readonly #env: NodeJS.ProcessEnv;
  /** prober's stdin (none: not a terminal): a terminal makes the plugin `interactive`, and it reads it. */
  readonly #stdin: InputStream | undefined;
  #cached: Credential | undefined;
  #running: Promise<Credential> | undefined;
  /** How many times the plugin was started (for tests and debugging). */
  spawns = 0;

  constructor(user: User, cluster: Cluster, file: string, env: NodeJS.ProcessEnv, stdin: InputStream | undefined) {
    const exec = user.exec as ExecConfig;
    const who = `kubeconfig user "${user.name}"`;
    if (!exec.command) throw new ExecPluginError(`${who}: its exec credential plugin names no command`);
    if (!API_VERSIONS.includes(exec.apiVersion ?? ''))
      throw new ExecPluginError(
        `${who}: exec credential plugin "${exec.command}" has apiVersion "${exec.apiVersion ?? ''}" (kubectl and prober take ${API_VERSIONS.join(' or ')})`,
      );
    this.#user = user.name;
    this.#exec = exec;
    const relative = exec.command.includes('/') && !isAbsolute(exec.command);
    this.#command = relative ? resolve(dirname(file), exec.command) : exec.command;
    this.#cluster = cluster;
    this.#env = env;
    this.#stdin = stdin;
  }

  isAuthProvider(user: User): boolean {
    return user.name === this.#user;
  }

  /** Adds the credential to one request (client-node calls this before every request). */
  async applyAuthentication(_user: User, opts: { headers?: unknown; cert?: unknown; key?: unknown }): Promise<void> {
    const credential = await this.credential();
    if (credential.cert && credential.key) Object.assign(opts, { cert: credential.cert, key: credential.key });
    // Request options (undici) and WebSocket options (ws, for pods/exec) alike carry headers as an object.
    if (credential.token)
      opts.headers = {
        ...(opts.headers as Record<string, unknown> | undefined),
        Authorization: `Bearer ${credential.token}`,
      };
  }

  /** The credential: the cached one until it expires, else the plugin's, one run for all who wait. */
  credential(): Promise<Credential> {
    const cached = this.#cached;
    if (cached && (cached.expires === undefined || Date.now() <= cached.expires)) return Promise.resolve(cached);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #fail(what: string, cause?: unknown): never {
    throw new ExecPluginError(
      `exec credential plugin "${this.#exec.command}" of kubeconfig user "${this.#user}" ${what}`,
      {
        cause,
      },
    );
  }

  async #run(): Promise<Credential> {
    const mode = this.#exec.interactiveMode ?? 'IfAvailable';
    // A terminal stdin is handed on by its descriptor (process.stdin's is 0): what 'inherit' gives.
    const tty = this.#stdin?.isTTY ? this.#stdin.fd : undefined;
    const terminal = tty !== undefined;
    if (mode === 'Always' && !terminal)
      this.#fail('needs an interactive terminal (interactiveMode: Always), and standard input is not one');
    const interactive = mode !== 'Never' && terminal;
    const apiVersion = this.#exec.apiVersion;
    const info = {
      kind: 'ExecCredential',
      apiVersion,
      spec: { ...(this.#exec.provideClusterInfo ? { cluster: clusterInfo(this.#cluster) } : {}), interactive },
    };
    const env = { ...this.#env };
    for (const { name, value } of this.#exec.env ?? []) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
    this.spawns += 1;
    const stdout = await new Promise<string>((done, failed) => {
      // Its standard error is the user's to read, as kubectl passes it through; stdin only when interactive.
      // A plugin that needs no terminal runs in a process group of its own, so that prober's exit takes
      // whatever it started too; an interactive one stays in the terminal's foreground group to read it.
      const ownGroup = !interactive;
      // A descriptor in stdio is past spawn's typed overloads; stdout is still the pipe asked for.
      const child = spawn(this.#command, this.#exec.args ?? [], {
        env,
        stdio: [interactive && tty !== undefined ? tty : 'ignore', 'pipe', 'inherit'],
        detached: ownGroup,
      }) as ChildProcessByStdio<null, Readable, null>;
      killPluginsOnExit();
      running.set(child, ownGroup);
      // SIGINT/SIGTERM while it runs: the plugin goes at once (a sleeping one would hold the run), and when
      // no one else handles the signal, prober goes too, as it would have without this handler.
      let stoppedBy: NodeJS.Signals | undefined;
      const onSignal = (name: NodeJS.Signals): void => {
        stoppedBy = name;
        kill(child, ownGroup);
        if (process.listenerCount(name) > 1) return;
        stopListening();
        process.kill(process.pid, name);
      };
      const stopListening = (): void => {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const chunks: Buffer[] = [];
      let bytes = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > EXEC_OUTPUT_MAX_BYTES) {
          kill(child, ownGroup);
          failed(new Error(`printed more than ${EXEC_OUTPUT_MAX_BYTES / 2 ** 20} MiB on standard output`));
          return;
        }
        chunks.push(chunk);
      });
      child.once('error', (error) => {
        running.delete(child);
        stopListening();
        failed(error);
      });
      // What it started in its group has no business outliving it (and may hold its standard output open).
      child.once('exit', () => ownGroup && kill(child, true));
      child.once('close', (code, signal) => {
        running.delete(child);
        stopListening();
        if (code === 0) done(Buffer.concat(chunks).toString('utf8'));
        else if (stoppedBy) failed(new Error(`was stopped: prober received ${stoppedBy}`));
        else failed(new Error(signal ? `was killed by ${signal}` : `failed with exit code ${code}`));
      });
    }).catch((error: NodeJS.ErrnoException) => {
      const hint = this.#exec.installHint?.trim().split('\n')[0];
      if (error.code === 'ENOENT')
        this.#fail(
          `not found: ${this.#command} (install it, or fix the command in the kubeconfig)${hint ? `; ${hint}` : ''}`,
          error,
        );
      if (error.code === 'EACCES') this.#fail(`cannot be run: ${this.#command} is not executable`, error);
      this.#fail(error.message, error);
    });
    return this.#parse(stdout, apiVersion ?? '');
  }

  #parse(stdout: string, apiVersion: string): Credential {
    let output: { apiVersion?: string; kind?: string; status?: Record<string, string> };
    try {
      output = JSON.parse(stdout);
    } catch (error) {
      this.#fail(`printed no ExecCredential JSON: ${(error as Error).message}`, error);
    }
    if (output?.kind !== 'ExecCredential') this.#fail(`printed a ${output?.kind ?? 'document'}, not an ExecCredential`);
    if (output.apiVersion !== apiVersion)
      this.#fail(`is configured to use API version ${apiVersion}, but returned ${output.apiVersion ?? 'none'}`);
    const status = output.status;
    if (!status) this.#fail('returned no status field');
    const { token, clientCertificateData: cert, clientKeyData: key, expirationTimestamp } = status;
    if (!token && !cert && !key) this.#fail('returned neither a token nor a client certificate and key');
    if (Boolean(cert) !== Boolean(key)) this.#fail('returned only one of client certificate and key');
    const expires = expirationTimestamp ? Date.parse(expirationTimestamp) : undefined;
    if (expires !== undefined && Number.isNaN(expires))
      this.#fail(`returned an expirationTimestamp that is not a time: ${JSON.stringify(expirationTimestamp)}`);
    this.#cached = {
      ...(token ? { token } : {}),
      ...(cert && key ? { cert, key } : {}),
      ...(expires !== undefined ? { expires } : {}),
    };
    return this.#cached;
  }
}

/**
 * Runs the current user's exec plugin with {@link ExecCredentialPlugin} instead of client-node's own
 * (which starts one plugin per concurrent call and sets no KUBERNETES_EXEC_INFO). `userFiles` tells
 * which kubeconfig file defines each user. Throws ExecPluginError for a plugin kubectl would refuse.
 * `stdin` is prober's: an interactive plugin gets it when it is a terminal, as kubectl gives it the user's.
 */
export function useExecPlugin(
  kubeConfig: KubeConfig,
  userFiles: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
  stdin: InputStream | undefined,
): void {
  const user = kubeConfig.getCurrentUser();
  const cluster = kubeConfig.getCurrentCluster();
  if (!user?.exec || !cluster) return;
  const plugin = new ExecCredentialPlugin(user, cluster, userFiles.get(user.name) ?? '.', env, stdin);
  // Without its exec block, client-node's own authenticator passes the user on to ours.
  kubeConfig.loadFromOptions({
    clusters: kubeConfig.getClusters(),
    contexts: kubeConfig.getContexts(),
    users: kubeConfig.getUsers().map((u) => (u === user ? { ...u, exec: undefined } : u)),
    currentContext: kubeConfig.getCurrentContext(),
  });
  kubeConfig.addAuthenticator(plugin);
}
