// Reads the header of the SEA blob injected into a single executable, to check what a cross build embeds.

import { BUNDLES, cacheAsset } from '../src/cli/bundle-asset.ts';

/** The blob's first four bytes: `kMagic` in Node's src/node_sea.cc (0x143da20, little-endian). */
const MAGIC = Buffer.from([0x20, 0xda, 0x43, 0x01]);

/** node_sea.cc's SeaFlags bits. Code cache and snapshot are V8 data for the building machine's CPU only. */
export const SEA_FLAGS = {
  disableExperimentalSeaWarning: 1 << 0,
  useSnapshot: 1 << 1,
  useCodeCache: 1 << 2,
  includeAssets: 1 << 3,
  /** The build's `execArgv` (build.mjs SEA_EXEC_ARGV): Node options, the same on every CPU. */
  includeExecArgv: 1 << 4,
};

/**
 * The headers of the SEA blobs in an executable's bytes: `{ offset, flags, codePath }`. In Node 24 a blob
 * is magic, u32 flags, one byte (the exec-argv extension mode), then the main script's name as a u64
 * length and its bytes (SeaSerializer in src/node_sea.cc, checked against the pinned Node's output); a bare Node binary has none (the
 * magic also occurs in its code, but not followed by a short printable name).
 */
export function seaBlobs(bytes: Buffer): { offset: number; flags: number; codePath: string }[] {
  const found: { offset: number; flags: number; codePath: string }[] = [];
  for (let at = bytes.indexOf(MAGIC); at >= 0; at = bytes.indexOf(MAGIC, at + 1)) {
    if (at + 17 > bytes.length) break;
    const flags = bytes.readUInt32LE(at + 4);
    const length = Number(bytes.readBigUInt64LE(at + 9));
    if (flags >= 1 << 5 || length === 0 || length > 4096 || at + 17 + length > bytes.length) continue;
    const codePath = bytes.subarray(at + 17, at + 17 + length).toString('latin1');
    if (/^[\x20-\x7e]+$/.test(codePath)) found.push({ offset: at, flags, codePath });
  }
  return found;
}

/**
 * The code caches a blob carries as assets (src/cli/bundle-asset.ts: `BUNDLE.cache`), by their keys. An
 * asset's key is stored as its bytes after the blob's header; the bundles themselves never spell one.
 */
export function codeCacheAssets(bytes: Buffer, blob: { offset: number }): string[] {
  return Object.values(BUNDLES)
    .map(cacheAsset)
    .filter((key) => bytes.indexOf(Buffer.from(key, 'latin1'), blob.offset) >= 0);
}

/** Throws unless `bytes` hold exactly one blob that any CPU can run: no code cache, no snapshot. */
export function assertPortableBlob(bytes: Buffer, name: string): void {
  const blobs = seaBlobs(bytes);
  if (blobs.length !== 1) throw new Error(`${name}: ${blobs.length} SEA blobs, not 1`);
  const flags = blobs[0]?.flags ?? 0;
  if (flags & (SEA_FLAGS.useCodeCache | SEA_FLAGS.useSnapshot)) {
    throw new Error(`${name}: the SEA blob holds V8 code cache or a snapshot (flags ${flags}): one CPU only`);
  }
  const caches = codeCacheAssets(bytes, blobs[0]!);
  if (caches.length > 0)
    throw new Error(`${name}: the SEA blob holds code caches (${caches.join(', ')}): one CPU only`);
}
