// What the attempts in flight do when a run's signal aborts: one listener on the signal, a list of attempts behind it.

/** An attempt waiting on a signal: a node of that signal's list, both links cleared when it leaves. */
interface AbortNode {
  abort: (() => void) | undefined;
  prev: AbortNode | undefined;
  next: AbortNode | undefined;
}

/** Per signal, the head of its list (a node whose `abort` is unused). */
const lists = new WeakMap<AbortSignal, AbortNode>();

/**
 * Calls `abort` once when `signal` (not aborted yet) aborts, unless the returned function was called first.
 *
 * Thousands of probes each wait on the same signal, one after the other. Were each to add and remove
 * an EventTarget listener, the removed listener would keep its link to the one added after it (and a
 * Set of callbacks kept them the same way, as measured): once one of them was promoted to the old
 * generation, every later attempt's closures and socket stayed reachable through young collections,
 * and 20,000 probes grew the old heap by tens of MiB until a full collection. A node of this list
 * drops both its links when it leaves, so a dead one holds nothing.
 */
export function whenAborted(signal: AbortSignal, abort: () => void): () => void {
  let head = lists.get(signal);
  if (!head) {
    const list: AbortNode = { abort: undefined, prev: undefined, next: undefined };
    signal.addEventListener(
      'abort',
      () => {
        for (let node = list.next; node; node = list.next) {
          const fn = node.abort;
          unlink(node);
          fn?.();
        }
      },
      { once: true },
    );
    lists.set(signal, list);
    head = list;
  }
  const node: AbortNode = { abort, prev: head, next: head.next };
  if (head.next) head.next.prev = node;
  head.next = node;
  return () => unlink(node);
}

/** Takes `node` out of its list and clears its links; a node already out stays as it is. */
function unlink(node: AbortNode): void {
  if (!node.prev) return;
  node.prev.next = node.next;
  if (node.next) node.next.prev = node.prev;
  node.prev = undefined;
  node.next = undefined;
  node.abort = undefined;
}
