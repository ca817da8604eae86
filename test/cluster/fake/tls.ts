// A throwaway certificate for the fake API server, so prober talks TLS to it exactly as to a real one.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 (it is its own CA) and its key, PEM. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

/** Makes a fresh EC certificate with openssl (valid one day, SAN IP:127.0.0.1 and DNS:localhost). */
export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'prober-test-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=fake-kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
