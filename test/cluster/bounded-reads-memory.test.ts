// Big answers in bounded memory, measured on the built binary: `prober simulate --cluster` reads 1,000
// pods that each carry a 250 KB annotation (250 MB of pods, a 125 MB first page) in a V8 heap of
// HEAP_MB. The page over the transport's 32 MiB bound is asked again with a quarter of the objects, and
// every annotation the model does not read is dropped as its page arrives, so the heap holds one page
// at a time. The API server is the in-process fake of test/cluster/fake/.

import { spawn } from 'node:child_process';
import t from 'tap';
import { requireBinary } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';

const PODS = 1000;
const ANNOTATION_BYTES = 250 * 1024;
/**
 * The binary's V8 heap. Measured on 2026-12-07 (`npm run build`, then this file with HEAP_MB changed):
 * this code runs in 64 MB and aborts in 48 MB; the code before (the 125 MB page read whole, every
 * annotation kept) aborts with SIGABRT in 256 MB and gets through only in 512 MB. 128 MB tells them apart
 * with room for a busy machine.
 */
const HEAP_MB = 128;

t.test(
  `simulate --cluster reads ${PODS} pods with ${ANNOTATION_BYTES / 1024} KB annotations in a ${HEAP_MB} MB heap`,
  async (t) => {
    const binary = requireBinary();
    const fake = await FakeApiServer.start(t);
    // One string shared by every pod: the fake itself stays small; the answers it writes do not.
    const big = 'x'.repeat(ANNOTATION_BYTES);
    for (let i = 0; i < PODS; i += 1) {
      const pod = fake.addPod({
        namespace: `ns-${i % 10}`,
        name: `w-${i}`,
        labels: { app: `w${i % 50}` },
        ports: [{ containerPort: 80 }],
      });
      (pod.metadata as Record<string, unknown>).annotations = {
        'example.com/build-info': big,
        'sidecar.istio.io/inject': 'false',
      };
    }
    const run = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn(binary, ['simulate', '--cluster', '--kubeconfig', fake.kubeconfig, '-o', 'json'], {
          env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      },
    );
    t.equal(run.signal, null, `not killed (an out-of-memory abort is SIGABRT): ${run.stderr.slice(-300)}`);
    t.not(run.code, 2, run.stderr.slice(0, 500));
    const limits = fake.seen('list', 'pods').length;
    t.ok(limits >= 9, `the pods were read in pages of 125 after the first was too large (${limits} requests)`);
  },
);
