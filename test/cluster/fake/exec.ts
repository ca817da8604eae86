// `pods/exec` over a WebSocket on the fake API server, as the API server and kubelet answer it:
// - authorization of the upgrade, a GET, as `get pods/exec`, then (Kubernetes 1.35+, gate
//   AuthorizePodWebsocketUpgradeCreatePermission, on by default) `create pods/exec` too:
//   pkg/registry/core/pod/rest/subresources.go ExecREST.Connect → authorize.go ensureAuthorizedForVerb;
// - the pod missing: 404; a container the pod does not have: 400 `container X is not valid for pod Y`
//   (pkg/registry/core/pod/strategy.go streamLocation); a container not running: the kubelet's
//   `container not found ("X")` (pkg/kubelet/kubelet_pods.go GetExec, findContainer lists running
//   containers only), written by pkg/kubelet/cri/streaming/errors.go WriteError as a plain-text 500;
// - subprotocols negotiated in the client's order among those served (apimachinery
//   pkg/util/httpstream/wsstream/conn.go handshake, 400 when none is), channels as
//   pkg/kubelet/cri/streaming/remotecommand/websocket.go numbers them: 0 stdin, 1 stdout, 2 stderr,
//   3 error (a Status JSON, v4+: `NonZeroExitCode` with an `ExitCode` cause, remotecommand/httpstream.go),
//   and v5's close signal (255, channel) that ends the process's stdin;
// - the command runs for real in the pod's network namespace with the container's environment; the
//   client going away closes its stdin and does not kill it (a container runtime does not).

import { type ChildProcess, spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { proberCommand } from '../../helpers/prober.ts';
import type { FakeAuthorizer } from './authorizer.ts';
import type { SeenRequest } from './handler.ts';
import { actingUser, headerLines } from './impersonation.ts';
import type { FakePods } from './pods.ts';
import { parsePath } from './request.ts';
import * as status from './status.ts';

type Json = Record<string, unknown>;

/** What the exec endpoint reads of the fake. */
export interface ExecServing {
  readonly token: string;
  readonly authorizer: FakeAuthorizer;
  readonly requests: SeenRequest[];
  readonly started: number;
  readonly pods: FakePods;
}

/** The fake's exec endpoint: its settings, and the processes it runs. */
export class FakeExec {
  /** Subprotocols served, in the kubelet's order; a test narrows it to `v4.channel.k8s.io` (an older cluster). */
  protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  /** Whether the 1.35 `create` check on the upgrade is on (AuthorizePodWebsocketUpgradeCreatePermission). */
  createCheck = true;
  readonly #live = new Set<ChildProcess>();
  /** Every command exec'd, for assertions. */
  readonly commands: string[][] = [];

  /** Exec'd processes still running (a test waits for 0 after an abort). */
  get liveProcesses(): number {
    return this.#live.size;
  }

  /** Answers WebSocket upgrades of `pods/exec` on `server`. */
  serve(server: Server, serving: ExecServing): void {
    const wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => [...offered].find((p) => this.protocols.includes(p)) ?? false,
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        const { pod, container, command, netns } = this.#admit(serving, req);
        const offered = String(req.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((p) => p.trim());
        if (!offered.some((p) => this.protocols.includes(p)))
          throw status.badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]`);
        wss.handleUpgrade(req, socket, head, (ws) => this.#run(ws, pod, container, command, netns));
      } catch (error) {
        const failure = error instanceof status.StatusError ? error : status.serverError(500, String(error));
        const plain = failure.reason === 'KubeletPlain';
        const body = plain ? failure.message : JSON.stringify(failure.body());
        const type = plain ? 'text/plain; charset=utf-8' : 'application/json';
        socket.end(
          `HTTP/1.1 ${failure.code} ${failure.reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    });
  }

  /** Authentication, both authorizations, then the API server's and the kubelet's checks; records the request. */
  #admit(
    serving: ExecServing,
    req: IncomingMessage,
  ): { pod: Json; container: Json; command: string[]; netns?: string } {
    const url = new URL(req.url ?? '/', 'https://fake');
    const target = parsePath(url.pathname);
    let code = 101;
    let impersonated: SeenRequest['impersonated'];
    const record = (): void => {
      serving.requests.push({
        ...(impersonated ? { impersonated } : {}),
        verb: 'get',
        group: '',
        resource: target?.resource ?? url.pathname,
        namespace: target?.namespace,
        name: target?.name,
        contentType: undefined,
        code,
        at: Math.round(performance.now() - serving.started),
      });
    };
    try {
      if (req.headers.authorization !== `Bearer ${serving.token}`) throw status.unauthorized();
      if (target?.resource !== 'pods/exec') throw status.noSuchResource();
      const who = actingUser(headerLines(req.headersDistinct), serving.authorizer.user, (v, t, u) =>
        serving.authorizer.allows(v, t, u),
      );
      impersonated = who.impersonated;
      for (const verb of this.createCheck ? ['get', 'create'] : ['get'])
        if (!serving.authorizer.allows(verb, target, who))
          throw status.forbidden(who.name, verb, target.resource, '', target.namespace, target.name);
      const pod = serving.pods.get(target.namespace, target.name);
      const name = url.searchParams.get('container') ?? '';
      const spec = pod.spec as Json;
      const all = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((f) => (spec[f] ?? []) as Json[]);
      const container = all.find((c) => c.name === name);
      if (!container) throw status.badRequest(`container ${name} is not valid for pod ${target.name}`);
      const podStatus = (pod.status ?? {}) as Json;
      const statuses = ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses'].flatMap(
        (f) => (podStatus[f] ?? []) as Json[],
      );
      const running = (statuses.find((s) => s.name === name)?.state as Json | undefined)?.running;
      if (!running) throw new status.StatusError(500, 'KubeletPlain', `container not found ("${name}")`);
      const command = url.searchParams.getAll('command');
      const netns = serving.pods.netnsOf(String(target.namespace), String(target.name));
      return { pod, container, command, ...(netns ? { netns } : {}) };
    } catch (error) {
      code = error instanceof status.StatusError ? error.code : 500;
      throw error;
    } finally {
      record();
    }
  }

  /** Runs the command and carries its streams over the channels until it exits. */
  #run(ws: WebSocket, pod: Json, container: Json, command: string[], netns: string | undefined): void {
    this.commands.push(command);
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    const finish = (result: Json): void => {
      send(3, JSON.stringify({ metadata: {}, ...result }));
      ws.close(1000);
    };
    if (command[0] !== 'prober') {
      finish({
        status: 'Failure',
        reason: 'InternalError',
        message: `Internal error occurred: error executing command in container: exec: "${command[0] ?? ''}": executable file not found in $PATH`,
      });
      return;
    }
    // An exec'd process gets the container's environment, as the runtime gives it.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOSTNAME: String((pod.metadata as Json).name),
    };
    for (const entry of (container.env as { name: string; value?: string }[] | undefined) ?? [])
      env[entry.name] = entry.value ?? '';
    const argv = [...proberCommand(), ...command.slice(1)];
    const child = netns
      ? spawn('ip', ['netns', 'exec', netns, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(argv[0] as string, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#live.add(child);
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => send(1, chunk));
    child.stderr?.on('data', (chunk: Buffer) => send(2, chunk));
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) child.stdin?.write(data.subarray(1));
      else if (data[0] === 255 && data[1] === 0 && ws.protocol === 'v5.channel.k8s.io') child.stdin?.end();
    });
    // The client gone: the kubelet closes the process's stdin; the runtime does not kill it.
    ws.on('close', () => child.stdin?.end());
    child.once('close', (exitCode, signal) => {
      this.#live.delete(child);
      const code = exitCode ?? (signal === 'SIGKILL' ? 137 : 143);
      if (code === 0) finish({ status: 'Success' });
      else
        finish({
          status: 'Failure',
          message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
        });
    });
  }

  /** Kills what still runs (server shutdown). */
  stopAll(): void {
    for (const child of this.#live) child.kill('SIGKILL');
  }
}
