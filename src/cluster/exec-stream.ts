// One command run in a container through the API server (`pods/exec` over a WebSocket, client-node's Exec):
// stdin given, stdout kept up to a bound, the exit code read from the error channel — with a deadline and
// cancellation. The channel protocol is client-go's `tools/remotecommand` and the kubelet's
// `pkg/kubelet/cri/streaming/remotecommand` (`websocket.go`): one byte of channel (0 stdin, 1 stdout,
// 2 stderr, 3 error, 4 resize) before each message; v4 sends a `Status` JSON on the error channel when the
// command ends (`NonZeroExitCode` with an `ExitCode` cause), v5 adds a close signal (255, channel).

import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import type { Impersonation } from './impersonation.ts';

/** The subprotocols prober speaks, preferred first: both carry the exit code as a Status. */
const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** What to run and within what bounds. */
export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  /** Written to the command's stdin once it runs; stdin then stays open until the exec ends (closing it is cancelling). */
  readonly stdin: string;
  /** The whole exec, handshake included. */
  readonly deadlineMs: number;
  /** The most bytes of stdout kept; past it the exec is cut. */
  readonly maxStdoutBytes: number;
  readonly signal: AbortSignal;
}

/** How an exec ended: its exit code, or cut by prober (with what arrived), or a failure the runtime reported. */
export type ExecOutcome = {
  readonly stdout: string;
  /** The end of stderr (at most 2 KiB), for messages. */
  readonly stderr: string;
  /** The subprotocol the server chose. */
  readonly protocol: string;
} & (
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'cut'; readonly why: 'deadline' | 'aborted' | 'too-large' | 'closed' }
  | { readonly kind: 'failed'; readonly message: string }
);

/** The API server refused the upgrade: its HTTP code, body and headers, read as any answer (refusal.ts). */
export class ExecRefused extends Error {
  readonly code: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  constructor(code: number, body: string, headers: Record<string, string>) {
    super(`the API server answered the exec with HTTP ${code}`);
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

/** What client-node's Exec asks of its handler (its WebSocketInterface, not exported by the package). */
type WebSocketInterface = ConstructorParameters<typeof Exec>[1] & {};

const STDERR_TAIL = 2048;
/** The most of a refusal's body read: a Status is a few hundred bytes. */
const REFUSAL_BYTES = 64 * 1024;

/** The exit code a v4/v5 error-channel Status gives: 0 for Success, the `ExitCode` cause's number, else a message. */
function exitOf(status: V1Status): { exitCode: number } | { message: string } {
  if (status.status === 'Success') return { exitCode: 0 };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (status.reason === 'NonZeroExitCode' && cause && /^\d+$/.test(cause.message ?? ''))
    return { exitCode: Number(cause.message) };
  return { message: status.message ?? status.reason ?? 'the exec failed without a message' };
}

/**
 * client-node's WebSocketInterface, connecting as its WebSocketHandler does (the kubeconfig's TLS and
 * credentials), plus: `--as` headers, only the subprotocols prober reads, a handshake deadline, a refusal's
 * answer kept (ws otherwise reduces it to "Unexpected server response"), and no stream of the process
 * touched (client-node's own handler ends process.stdout on a close signal).
 */
function socketInterface(
  kubeConfig: KubeConfig,
  impersonation: Impersonation | undefined,
  deadlineMs: number,
  refused: (error: ExecRefused) => void,
  opened: (socket: WebSocket) => void,
): WebSocketInterface {
  return {
    async connect(path, _text, binary) {
      const server = kubeConfig.getCurrentCluster()?.server ?? '';
      const opts: WebSocket.ClientOptions = {};
      await kubeConfig.applyToHTTPSOptions(opts);
      const headers: Record<string, string | string[]> = { ...(opts.headers as Record<string, string>) };
      if (impersonation) {
        headers['Impersonate-User'] = impersonation.user;
        // One header line per group, as client-go's ImpersonatingRoundTripper sends them.
        if (impersonation.groups.length > 0) headers['Impersonate-Group'] = [...impersonation.groups];
      }
      const socket = new WebSocket(`${server.replace(/^http/, 'ws')}${path}`, [...EXEC_PROTOCOLS], {
        ...opts,
        headers: headers as Record<string, string>,
        handshakeTimeout: deadlineMs,
        maxPayload: 4 * 1024 * 1024,
      });
      opened(socket);
      socket.on('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= REFUSAL_BYTES) chunks.push(chunk);
        });
        response.on('end', () => {
          const answer = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
          refused(new ExecRefused(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), answer));
          socket.terminate();
        });
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        // Channel 255 is v5's close signal, which only a client sends; text frames belong to base64 protocols.
        if (!isBinary || data.length < 1 || data[0] === 255) return;
        if (binary && !binary(data[0] as number, data.subarray(1))) socket.close();
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      return socket as never;
    },
  };
}

/**
 * Runs `command` in the container through the API server and the kubelet, never over the pod network. The
 * returned outcome is `cut` when prober ended it (deadline, abort, too much output, the connection lost);
 * closing the WebSocket closes the command's stdin, which is how a `--plan-line` agent learns to stop.
 * Throws ExecRefused when the API server refuses the upgrade, or the connection's error before it opens.
 */
export async function execStream(
  kubeConfig: KubeConfig,
  impersonation: Impersonation | undefined,
  request: ExecRequest,
): Promise<ExecOutcome> {
  let refusal: ExecRefused | undefined;
  let stdout = Buffer.alloc(0);
  let stderr = '';
  let status: V1Status | undefined;
  let cut: 'deadline' | 'aborted' | 'too-large' | undefined;
  let socket: WebSocket | undefined;
  const end = (why: 'deadline' | 'aborted' | 'too-large'): void => {
    cut ??= why;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState !== WebSocket.OPEN) {
      socket.terminate();
      return;
    }
    // A close handshake the server never answers must not hold the exec past its end.
    socket.close();
    const stuck = socket;
    setTimeout(() => stuck.terminate(), 2000).unref();
  };
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (stdout.length + chunk.length > request.maxStdoutBytes) end('too-large');
      else stdout = Buffer.concat([stdout, chunk]);
      callback();
    },
  });
  const err = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      callback();
    },
  });
  const stdin = new PassThrough();
  const handler = socketInterface(
    kubeConfig,
    impersonation,
    request.deadlineMs,
    (r) => (refusal = r),
    (s) => (socket = s),
  );
  const timer = setTimeout(() => end('deadline'), request.deadlineMs);
  const onAbort = (): void => end('aborted');
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (request.signal.aborted) throw request.signal.reason;
    try {
      await new Exec(kubeConfig, handler).exec(
        request.namespace,
        request.pod,
        request.container,
        [...request.command],
        out,
        err,
        stdin,
        false,
        (s) => (status = s),
      );
    } catch (error) {
      if (cut) return { stdout: '', stderr, protocol: '', kind: 'cut', why: cut };
      throw refusal ?? error;
    }
    if (!socket) throw new Error('the exec opened no WebSocket');
    const protocol = socket.protocol;
    if (cut) end(cut);
    else stdin.write(request.stdin);
    await new Promise<void>((resolve) => {
      if (socket?.readyState === WebSocket.CLOSED) resolve();
      else socket?.once('close', () => resolve());
    });
    const base = { stdout: stdout.toString('utf8'), stderr, protocol };
    if (cut) return { ...base, kind: 'cut', why: cut };
    if (!status) return { ...base, kind: 'cut', why: 'closed' };
    const exit = exitOf(status);
    return 'exitCode' in exit
      ? { ...base, kind: 'exited', exitCode: exit.exitCode }
      : { ...base, kind: 'failed', message: exit.message };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
    stdin.destroy();
  }
}
