// Square bit matrices kept as rows of 32-bit words, and their transpose, 32 × 32 bits at a time: the
// matrix of a port combines each source's egress row with the column of every destination's ingress.
import type { Bitset } from './bitset.ts';

/** `n` rows of `stride` words: bit c of row r is bit (c & 31) of `words[r * stride + (c >>> 5)]`. */
export interface BitRows {
  readonly n: number;
  readonly stride: number;
  readonly words: Uint32Array;
}

/** Words per row of an n-column matrix. */
const strideOf = (n: number): number => (n + 31) >>> 5;

/** Transposes a 32 × 32 block in place: bit j of word i becomes bit i of word j. */
export function transpose32(block: Uint32Array): void {
  // Swap the off-diagonal halves, then quarters within each half, down to single bits.
  let mask = 0x0000ffff;
  for (let j = 16; j !== 0; j >>>= 1, mask ^= mask << j) {
    for (let k = 0; k < 32; k = ((k | j) + 1) & ~j) {
      const t = ((block[k]! >>> j) ^ block[k | j]!) & mask;
      block[k | j]! ^= t;
      block[k]! ^= t << j;
    }
  }
}

/**
 * The transpose of the square matrix whose row r is `rows[r]` (every set of size `rows.length`): row c
 * of the result holds every r with `rows[r].has(c)`. All-zero blocks, common under default deny, are skipped.
 */
export function transposed(rows: readonly Bitset[]): BitRows {
  const n = rows.length;
  const stride = strideOf(n);
  const words = new Uint32Array(n * stride);
  const block = new Uint32Array(32);
  for (let rowBlock = 0; rowBlock < stride; rowBlock++) {
    const first = rowBlock << 5;
    const height = Math.min(32, n - first);
    for (let column = 0; column < stride; column++) {
      let any = 0;
      for (let i = 0; i < height; i++) any |= block[i] = rows[first + i]!.words[column]!;
      if (any === 0) continue;
      block.fill(0, height);
      transpose32(block);
      const width = Math.min(32, n - (column << 5));
      for (let j = 0; j < width; j++) words[((column << 5) + j) * stride + rowBlock] = block[j]!;
    }
  }
  return { n, stride, words };
}
