// The transpose the matrix is computed with, against the definition: row c of the transpose holds r
// exactly when row r holds c. Sizes around the 32-bit word edges, sparse and dense, seeded.
import t from 'tap';
import { transpose32, transposed } from '../../src/policy/bit-rows.ts';
import { Bitset, bitCount } from '../../src/policy/bitset.ts';

/** A small seeded generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(n: number, density: number, seed: number): Bitset[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const row = new Bitset(n);
    for (let c = 0; c < n; c++) if (next() < density) row.add(c);
    return row;
  });
}

t.test('a 32 × 32 block: bit j of word i becomes bit i of word j', async (t) => {
  const next = random(7);
  const block = Uint32Array.from({ length: 32 }, () => Math.floor(next() * 2 ** 32));
  const before = block.slice();
  transpose32(block);
  const wrong: string[] = [];
  for (let i = 0; i < 32; i++)
    for (let j = 0; j < 32; j++) if (((before[i]! >>> j) & 1) !== ((block[j]! >>> i) & 1)) wrong.push(`${i},${j}`);
  t.same(wrong, []);
  transpose32(block);
  t.same([...block], [...before], 'transposing twice gives the block back');
});

for (const n of [1, 31, 32, 33, 64, 65, 100, 257])
  for (const density of [0.02, 0.5, 1]) {
    t.test(`${n} × ${n} at density ${density}: the transpose holds (c, r) for each (r, c)`, async (t) => {
      const rows = randomRows(n, density, n * 1000 + density * 100);
      const tr = transposed(rows);
      t.equal(tr.stride, Math.ceil(n / 32));
      const wrong: string[] = [];
      let bitsPastEnd = 0;
      for (let c = 0; c < n; c++) {
        for (let r = 0; r < n; r++) {
          const bit = (tr.words[c * tr.stride + (r >>> 5)]! >>> (r & 31)) & 1;
          if (bit !== (rows[r]!.has(c) ? 1 : 0)) wrong.push(`${r},${c}`);
        }
        for (let r = n; r < tr.stride * 32; r++) bitsPastEnd |= (tr.words[c * tr.stride + (r >>> 5)]! >>> (r & 31)) & 1;
      }
      t.same(wrong.slice(0, 5), []);
      t.equal(bitsPastEnd, 0, 'no bit past the last row');
    });
  }

t.test('bit counts of words', async (t) => {
  t.same([0, 1, 0x80000000, 0xffffffff, 0x55555555, 0x0f0f00ff].map(bitCount), [0, 1, 1, 32, 16, 16]);
});
