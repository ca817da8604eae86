// The two size limits a write meets on a real cluster. The API server reads at most 3 MiB of a request
// body (`MaxRequestBodyBytes`, staging/src/k8s.io/apiserver/pkg/server/config.go; `limitedReadBody` in
// endpoints/handlers/rest.go answers 413). etcd refuses a request over 1.5 MiB (`--max-request-bytes`);
// the API server passes that error on as it is, a 500 Status without a reason (kubernetes/kubernetes#112152):
// `etcdserver: request is too large`. From then on every update of the object fails the same way.

import { StatusError } from './status.ts';

type Json = Record<string, unknown>;

/** The API server's request body limit. */
export const REQUEST_BODY_LIMIT = 3 * 1024 * 1024;

/** etcd's default request limit; the fake measures the object as JSON (etcd stores protobuf, a little smaller). */
export const ETCD_REQUEST_LIMIT = 1.5 * 1024 * 1024;

/** A Status whose reason is empty: how the API server answers an error that is not a Status of its own. */
class UnknownStatusError extends StatusError {
  override body(): Record<string, unknown> {
    const { reason: _reason, ...rest } = super.body();
    return rest;
  }
}

/** 413 for a body over the API server's limit. */
export function checkRequestBody(bytes: number): void {
  if (bytes > REQUEST_BODY_LIMIT)
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${REQUEST_BODY_LIMIT}`);
}

/** 500 `etcdserver: request is too large` for an object etcd would refuse to store. */
export function checkStoredSize(object: Json, limit = ETCD_REQUEST_LIMIT): void {
  if (Buffer.byteLength(JSON.stringify(object)) > limit)
    throw new UnknownStatusError(500, '', 'etcdserver: request is too large');
}
