// The 410 Gone a real API server answers to a continue token whose snapshot etcd has compacted away
// (apiserver pkg/storage/etcd3/store.go; apimachinery pkg/api/errors NewResourceExpired): reason
// `Expired`, the message below word for word, and in the Status's list metadata a fresh continue token
// for a client that accepts an inconsistent remainder.

import { StatusError } from './status.ts';

/** What etcd3's store says when a continue token is too old. */
export const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** The 410 for an expired token; `next` is the token for the (inconsistent) remainder. */
export class ContinueExpired extends StatusError {
  readonly #next: string;

  constructor(next: string) {
    super(410, 'Expired', CONTINUE_EXPIRED);
    this.#next = next;
  }

  override body(): Record<string, unknown> {
    return { ...super.body(), metadata: { continue: this.#next } };
  }
}

/** Which lists expire their continue tokens, and how many more times (set by tests). */
export class ExpiringLists {
  readonly #left = new Map<string, number>();

  /** The next `times` requests of `resource` that carry a continue token get 410 Gone. */
  expire(resource: string, times: number): void {
    this.#left.set(resource, (this.#left.get(resource) ?? 0) + times);
  }

  /** Throws the 410 when this request's continue token is to expire. */
  check(resource: string, url: URL): void {
    const token = url.searchParams.get('continue');
    const left = this.#left.get(resource) ?? 0;
    if (!token || left <= 0) return;
    this.#left.set(resource, left - 1);
    throw new ContinueExpired(token);
  }
}
