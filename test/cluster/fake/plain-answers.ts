// The API server's answers that are not `Status` bodies: written by HTTP filters and handlers in front of
// the API's own (with Go's http.Error: text/plain, the text and a newline), as a real cluster sends them.
//
// - API Priority and Fairness rejecting a request (apiserver pkg/server/filters/priority-and-fairness.go,
//   tooManyRequests in maxinflight.go): 429, `Retry-After: 1`, "Too many requests, please try again
//   later.", and the X-Kubernetes-PF-* headers naming the flow schema and priority level by UID.
// - A path no handler serves, e.g. an API group the cluster does not have, on older API servers (the
//   NotFound handler of apiserver pkg/server/mux): 404 "404 page not found". Current ones answer a JSON
//   Status NotFound instead (apiserver pkg/util/notfoundhandler), which the fake sends by default.
// - An aggregated API whose backend is not available (kube-aggregator pkg/apiserver/handler_proxy.go,
//   proxyError): 503 "service unavailable". The aggregator sends no Retry-After with it.

/** A plain-text answer: code, body and headers. Thrown by the fake's handlers like a StatusError. */
export class PlainAnswer extends Error {
  readonly code: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: number, text: string, headers: Record<string, string> = {}) {
    super(text);
    this.code = code;
    this.headers = headers;
  }

  /** The body as http.Error writes it. */
  body(): string {
    return `${this.message}\n`;
  }
}

/** The 429 API Priority and Fairness answers when a request's queue is full. */
export function tooManyRequests(retryAfterSeconds = 1): PlainAnswer {
  return new PlainAnswer(429, 'Too many requests, please try again later.', {
    'retry-after': String(retryAfterSeconds),
    'x-kubernetes-pf-flowschema-uid': '6f1f2a63-5b0e-4f7c-9a39-0c3d5b1e7a10',
    'x-kubernetes-pf-prioritylevel-uid': '0e9c7d41-9b7a-4a51-8f0b-4c5a4c2d7e22',
  });
}

/** A path no handler serves, as an older API server answers it: an API group (or version) the cluster lacks. */
export function pageNotFound(): PlainAnswer {
  return new PlainAnswer(404, '404 page not found');
}

/** An aggregated API whose APIService is not Available (its backend starting or down). */
export function serviceUnavailable(): PlainAnswer {
  return new PlainAnswer(503, 'service unavailable');
}
