// The seed's lab as a fake cluster: real Redis and a real HTTP app in network namespaces with an nftables
// policy ("Redis only from the app"), and a fake API server whose pods run their agents in those namespaces.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Test } from 'tap';
import { type NetnsPair, netnsPair } from '../../helpers/netns.ts';
import { type ProberExit, proberCommand } from '../../helpers/prober.ts';
import { waitFor } from '../../helpers/wait.ts';
import { renderKustomization } from '../../k8s/manifests.ts';
import { FakeApiServer } from './apiserver.ts';
import { runProber } from './run-prober.ts';

/** prober's RBAC exactly as `kubectl apply -k k8s/` installs it (k8s/prober/, rendered like kustomize). */
export function proberRbac(): Record<string, unknown>[] {
  return renderKustomization('k8s/prober').objects.map((o) => o.object);
}

/** The lab: a fake API server, the namespaces behind it, and a test file for it. */
export interface ClusterLab {
  readonly fake: FakeApiServer;
  readonly pair: NetnsPair;
  /** Writes a ReachabilityTest (YAML text) to a temp file and returns its path. */
  testFile(yaml: string): string;
  /** Stops Redis (the process only: whether its pod is Ready is the `redisReady` option). */
  stopRedis(): Promise<void>;
}

/** Service names the pods resolve, as cluster DNS would answer them (via /etc/netns/<ns>/hosts). */
export const APP_URL = 'http://app-count-svc.c-app-count.svc.cluster.local/healthz';
export const REDIS_URL = 'redis://redis-svc.d-redis.svc.cluster.local:6379';

/** The lab's test: case 1 (apache → app) allowed, case 2 (apache → redis) denied, the app reaches Redis. */
export const LAB_TEST = `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: { name: lab-redis-isolation }
spec:
  defaults: { timeout: 1s, attempts: 1 }
  sources:
    apache: { namespace: b-apacherr, selector: { app: apacherr } }
    app:    { namespace: c-app-count, selector: { app: pythonapp } }
  targets:
    app:   { url: "${APP_URL}" }
    redis: { url: "${REDIS_URL}" }
  expect:
    - { name: "case 1", from: apache, to: app, verdict: allow }
    - { name: "case 2", from: apache, to: redis, verdict: deny }
    - { from: app, to: redis, verdict: allow }
    - { from: app, to: app, verdict: allow }
`;

/**
 * Builds the lab. Namespace `client` (10.77.0.1) holds the Apache pod; `server` (10.77.0.2) holds the
 * app and Redis pods and drops Redis traffic from anything but itself — the seed's policy.
 */
export async function clusterLab(
  t: Test,
  options: { redisReady?: boolean; rbac?: Record<string, unknown>[] } = {},
): Promise<ClusterLab> {
  const pair = netnsPair(t);
  const dir = mkdtempSync(join(tmpdir(), 'prober-test-lab-'));
  const hostsDirs = [pair.client, pair.server].map((ns) => join('/etc/netns', ns));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const hostsDir of hostsDirs) rmSync(hostsDir, { recursive: true, force: true });
  });
  // `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts: the pods' cluster DNS.
  for (const hostsDir of hostsDirs) {
    mkdirSync(hostsDir, { recursive: true });
    writeFileSync(
      join(hostsDir, 'hosts'),
      `127.0.0.1 localhost\n${pair.serverIp} app-count-svc.c-app-count.svc.cluster.local redis-svc.d-redis.svc.cluster.local\n`,
    );
  }
  const redis = spawn(
    'ip',
    [
      'netns',
      'exec',
      pair.server,
      'redis-server',
      '--port',
      '6379',
      '--bind',
      pair.serverIp,
      '--protected-mode',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const redisExited = new Promise<void>((resolve) => redis.once('exit', () => resolve()));
  const stopRedis = async (): Promise<void> => {
    if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
    await redisExited;
  };
  t.teardown(stopRedis);
  const [command, ...lead] = proberCommand();
  const app = pair.spawnIn(pair.server, command, [
    ...lead,
    'serve',
    '--port',
    '80',
    '--host',
    pair.serverIp,
    '--name',
    'app-count',
  ]);
  let listening = false;
  createInterface({ input: app.stderr! }).on('line', (line) => {
    if (line.includes('listening')) listening = true;
  });
  await waitFor('the app in the server namespace', () => listening);
  await waitFor('redis-server in the server namespace', () =>
    pair.execIn(pair.server, 'redis-cli', ['-h', pair.serverIp, 'ping']).stdout.includes('PONG'),
  );
  pair.nft(
    pair.server,
    `table inet prober_lab {
       chain input {
         type filter hook input priority 0; policy accept;
         tcp dport 6379 ip saddr != ${pair.serverIp} drop
       }
     }`,
  );

  const fake = await FakeApiServer.start(t);
  // The API server authorizes prober as the repository's RBAC does: writes only in the source namespaces.
  fake.enforceRbac(options.rbac ?? proberRbac());
  // The lab's namespaces carry `name` labels, which its policies select on.
  for (const ns of ['b-apacherr', 'c-app-count', 'd-redis']) fake.addNamespace(ns, { name: ns });
  fake.addPod({
    namespace: 'b-apacherr',
    name: 'apacherr-6c9f7d-x2x4q',
    labels: { app: 'apacherr', 'pod-template-hash': '6c9f7d' },
    serviceAccountName: 'apacherr',
    netns: pair.client,
    ip: pair.clientIp,
    ports: [{ containerPort: 80 }],
  });
  // App and Redis share the server namespace's address; the policy model still tells them apart by workload.
  fake.addPod({
    namespace: 'c-app-count',
    name: 'app-count-7f8b9-abcde',
    labels: { app: 'pythonapp', 'pod-template-hash': '7f8b9' },
    netns: pair.server,
    ip: '10.77.0.3',
    ports: [{ name: 'http', containerPort: 80 }],
  });
  fake.addPod({
    namespace: 'd-redis',
    name: 'redis-0',
    labels: { app: 'redis' },
    netns: pair.server,
    ip: pair.serverIp,
    ports: [{ containerPort: 6379 }],
    ready: options.redisReady ?? true,
  });
  fake.addService({
    namespace: 'c-app-count',
    name: 'app-count-svc',
    selector: { app: 'pythonapp' },
    ports: [{ name: 'http', port: 80 }],
  });
  fake.addService({
    namespace: 'd-redis',
    name: 'redis-svc',
    selector: { app: 'redis' },
    ports: [{ port: 6379 }],
  });

  let files = 0;
  return {
    fake,
    pair,
    testFile(yaml) {
      files += 1;
      const file = join(dir, `test-${files}.yaml`);
      writeFileSync(file, yaml);
      return file;
    },
    stopRedis,
  };
}

/** The argv of `prober run -f FILE` against the lab's fake API server, `extra` flags added, JSON out. */
export function labRunArgs(lab: ClusterLab, file: string, ...extra: string[]): string[] {
  return ['run', '-f', file, '--kubeconfig', lab.fake.kubeconfig, ...extra, '-o', 'json'];
}

/** Runs `prober run` of LAB_TEST against the lab's fake API server, `extra` flags added, JSON out. */
export function runLab(lab: ClusterLab, ...extra: string[]): Promise<ProberExit> {
  return runProber(labRunArgs(lab, lab.testFile(LAB_TEST), ...extra));
}

/**
 * Asserts prober deleted every probe pod, then waits for them to go: a pod deleted while its agent
 * ran is Terminating for its grace period (pkg/registry/core/pod/strategy.go CheckGracefulDelete).
 */
export async function probePodsGone(t: Test, lab: ClusterLab, what = 'nothing left behind'): Promise<void> {
  t.ok(
    lab.fake.probePods().every((p) => p.metadata.deletionTimestamp),
    `${what}: every probe pod deleted`,
  );
  await waitFor(`${what}: the probe pods to go`, () => lab.fake.probePods().length === 0);
}
