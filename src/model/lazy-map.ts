// A read-only map whose values are computed when asked for and never kept: a matrix of millions of
// predicted cells costs memory only for the cell being looked at.

/**
 * A ReadonlyMap over fixed keys; `compute` runs on every `get` (and every iteration), nothing is
 * cached. The key set is shared, not copied: many rows of a matrix use one set of column names.
 */
export class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly index: ReadonlySet<K>;
  private readonly compute: (key: K) => V;

  constructor(keys: ReadonlySet<K>, compute: (key: K) => V) {
    this.index = keys;
    this.compute = compute;
  }

  get size(): number {
    return this.index.size;
  }

  get(key: K): V | undefined {
    return this.index.has(key) ? this.compute(key) : undefined;
  }

  has(key: K): boolean {
    return this.index.has(key);
  }

  keys(): MapIterator<K> {
    return this.index.keys();
  }

  *values(): MapIterator<V> {
    for (const key of this.index) yield this.compute(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const key of this.index) yield [key, this.compute(key)];
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const key of this.index) callback.call(thisArg, this.compute(key), key, this);
  }
}
