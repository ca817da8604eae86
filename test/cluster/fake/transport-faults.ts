// Answers a broken API server, proxy or load balancer gives at the transport level, for the fake to send
// instead of carrying a request out: silence, a body that stalls, a page without end, a repeated continue
// token, shapes that are not a Kubernetes list. Each is a writer of the raw HTTP answer.

import type { ServerResponse } from 'node:http';

/** Writes (or withholds) a whole answer; `url` is the request's, `n` counts the fault's uses from 0. */
export type RawAnswer = (res: ServerResponse, url: URL, n: number) => void;

/** The HTTP status a raw answer is recorded with in `fake.requests` (0: no status line was sent). */
export function recordedCode(res: ServerResponse): number {
  return res.headersSent ? res.statusCode : 0;
}

/** Accepts the request and never answers: a hung API server or a proxy that lost its upstream. */
export const silence: RawAnswer = () => {};

/** Sends the status line and the start of a JSON body, then nothing more, never ending it. */
export const stalledBody: RawAnswer = (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[');
};

/** Answers `code` with `body` as it is (JSON text, HTML …). */
export function verbatim(body: string, code = 200, type = 'application/json'): RawAnswer {
  return (res) => {
    res.writeHead(code, { 'content-type': type });
    res.end(body);
  };
}

/** A JSON list page built from the request: `items` and `metadata` as `page` returns them. */
export function listPage(page: (url: URL, n: number) => { items: unknown; continue?: string }): RawAnswer {
  return (res, url, n) => {
    const { items, continue: token } = page(url, n);
    verbatim(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: token ? { continue: token } : {}, items }))(
      res,
      url,
      n,
    );
  };
}

/**
 * A list page of about `bytes` bytes, written in chunks as the client takes them (never held whole):
 * pods, each with a 64 KiB annotation, as a cluster whose objects carry big annotations sends them.
 */
export function hugePage(bytes: number): RawAnswer {
  const filler = 'x'.repeat(64 * 1024);
  return (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    let i = 0;
    const more = (): void => {
      while (sent < bytes) {
        const pod = `${i > 0 ? ',' : ''}{"metadata":{"name":"big-${i}","namespace":"ns","annotations":{"a":"${filler}"}}}`;
        i += 1;
        sent += pod.length;
        if (!res.write(pod)) {
          res.once('drain', more);
          return;
        }
      }
      res.end(']}');
    };
    res.write('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[');
    more();
  };
}
