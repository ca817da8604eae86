// Every request to the API server bounded in time and size: client-node's own transport (undici, the
// kubeconfig's TLS, proxy and credentials), with a deadline for the whole answer and a cap on its body.

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createConfiguration,
  type HttpLibrary,
  Observable,
  type RequestContext,
  type ResponseBody,
  ResponseContext,
} from '@kubernetes/client-node';
import { UnusableAnswer } from './api-error.ts';
import { type Impersonation, impersonate } from './impersonation.ts';

/**
 * What the requests of one call got back, for the call's error handling: a call that fails after a 2xx
 * answer failed on the answer's content (client-node could not decode it), not on the way to the server.
 */
export const callAnswers = new AsyncLocalStorage<{ status?: number }>();

/** How long one request may take and how large its answer may be. */
export interface TransportLimits {
  /**
   * From sending the request to the last byte of the answer. undici's own defaults (10 s to connect,
   * then 300 s for the headers and 300 s between body chunks) let a silent server or a stalled body
   * hold a call for minutes; this ends it, and the retry budget decides whether to ask again.
   */
  readonly requestTimeoutMs: number;
  /** The most bytes of one answer prober reads: a list page, an object, a log. */
  readonly maxAnswerBytes: number;
}

/**
 * 30 s a request: the API server's own default for a request is 60 s (`--request-timeout`), but prober's
 * requests are single gets, patches and list pages of 500 objects, which a working server answers in well
 * under a second. 32 MiB an answer: a page of 500 pods averaging 64 KiB each; a bigger page is asked
 * again in smaller pages (list-pager.ts), and no single object is that large (etcd stores at most 1.5 MiB).
 */
export const TRANSPORT_LIMITS: TransportLimits = { requestTimeoutMs: 30_000, maxAnswerBytes: 32 * 2 ** 20 };

/** The answer's body read up to `max` bytes; more throws UnusableAnswer (and stops the transfer). */
async function readBounded(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, bytes);
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel().catch(() => undefined);
      throw new UnusableAnswer(
        'TooLarge',
        `the answer is larger than ${max / 2 ** 20} MiB, prober's bound for one answer`,
      );
    }
    chunks.push(value);
  }
}

/** A deadline's abort as the message a person reads; other errors as they are. */
function timedOut(deadline: AbortSignal, ms: number, error: unknown): unknown {
  if (!deadline.aborted) return error;
  return new UnusableAnswer(
    'Timeout',
    `no complete answer from the API server within ${ms / 1000} s (a silent server, or an answer that stalled)`,
    { cause: error },
  );
}

/**
 * client-node's HTTP library with a deadline on every request (connect, headers and body together) and
 * a cap on every answer's bytes, each request acting as `who` when `--as` is given. `signal`
 * (SIGINT/SIGTERM) is deliberately not tied in: the cleanup after an interruption uses the same client,
 * and each of its requests is bounded by the deadline anyway.
 */
export function boundedHttp(limits: TransportLimits = TRANSPORT_LIMITS, who?: Impersonation): HttpLibrary {
  const inner = createConfiguration().httpApi;
  return {
    send(request: RequestContext): Observable<ResponseContext> {
      if (who) impersonate(request, who);
      const ms = limits.requestTimeoutMs;
      const deadline = AbortSignal.timeout(ms);
      request.setSignal(deadline);
      const answer = inner
        .send(request)
        .toPromise()
        .then(
          (response) => {
            const seen = callAnswers.getStore();
            if (seen) seen.status = response.httpStatusCode;
            const buffer = readBounded(response.body.stream(), limits.maxAnswerBytes).catch((error: unknown) => {
              throw timedOut(deadline, ms, error);
            });
            const body: ResponseBody = {
              binary: () => buffer,
              text: async () => (await buffer).toString('utf8'),
              stream: () => null,
            };
            // Read now, so that the deadline covers the body even when the caller reads it later.
            buffer.catch(() => undefined);
            return new ResponseContext(response.httpStatusCode, response.headers, body);
          },
          (error: unknown) => {
            throw timedOut(deadline, ms, error);
          },
        );
      return new Observable(answer);
    },
  };
}
