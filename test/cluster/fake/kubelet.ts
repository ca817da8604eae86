// The fake cluster's kubelet: takes containers through waiting → running → terminated, running the real
// prober agent (in the pod's network namespace when it has one) and keeping its output as the container log.

import { type ChildProcess, spawn } from 'node:child_process';
import { proberCommand } from '../../helpers/prober.ts';
import { pulledImageID } from './image-id.ts';
import { runAsNonRootError } from './security-context.ts';

type Json = Record<string, unknown>;

/** How an image behaves when the fake kubelet "pulls" and runs it. */
export type ImageBehaviour =
  | 'ok' // the prober image: the command runs the real agent
  | 'pull-error' // ErrImagePull, then ImagePullBackOff, forever
  | 'crash' // the agent starts, then is killed (OOMKilled, exit 137) after its first result line
  | 'slow-start'; // stays in ContainerCreating until the pod is deleted

/** One container as the kubelet tracks it. */
interface Running {
  /** The current log file: what `GET pods/NAME/log` serves. */
  log: string;
  /** Bytes of output in files rotated away (the API server serves none of them). */
  rotatedBytes: number;
  /** The container's image (its behaviour on stop). */
  image: string;
  child?: ChildProcess;
}

/**
 * The kubelet's default `containerLogMaxSize` (10Mi): upstream `pkg/kubelet/logs/container_log_manager.go`
 * (`rotateLog`) renames the file once it passes this size and the runtime reopens a new one; `pods/log`
 * (`ReadLogs` of the current path) serves the new file only.
 */
export const CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024;

/** Where a container's status lives in the pod, and how to rewrite it. */
export interface ContainerHandle {
  readonly pod: Json;
  readonly container: Json;
  readonly ephemeral: boolean;
  /** Network namespace of the pod, if the test gave it one. */
  readonly netns: string | undefined;
  /** Called after every status change so the server can bump resourceVersion and pod conditions. */
  readonly changed: () => void;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The fake kubelet: one per fake API server. */
export class FakeKubelet {
  readonly #containers = new Map<string, Running>();
  images = new Map<string, ImageBehaviour>();
  /** The USER of an image (`0`, `65532`, `nobody`, or `` for none: root); default 65532, prober's image's. */
  imageUsers = new Map<string, string>();
  #running = 0;
  /** The most containers that ran at the same time (to check prober's --parallel bound). */
  maxRunning = 0;
  /** The kubelet's `containerLogMaxSize` in bytes (a test may lower it, as a node's config may). */
  containerLogMaxSize = CONTAINER_LOG_MAX_SIZE;
  /** How long the scheduler leaves a new pod unscheduled (PodScheduled False, Unschedulable) before binding it. */
  schedulingDelayMs = 0;
  /** How long pulling an image takes (ms): the container stays waiting in ContainerCreating meanwhile. */
  readonly pullDelays = new Map<string, number>();
  /** Images whose process ignores the stop signal: the kubelet kills it when the grace period ends. */
  readonly ignoresStop = new Set<string>();
  /**
   * While true, the kill at the end of a grace period waits (a node whose container runtime is slow to
   * answer: the pod stays Terminating past its grace period, as it can in a cluster) until `releaseKills`.
   */
  holdKills = false;
  #heldKills: (() => void)[] = [];

  /** Ends holding kills and carries out those that were due. */
  releaseKills(): void {
    this.holdKills = false;
    for (const kill of this.#heldKills.splice(0)) kill();
  }

  #key(pod: Json, container: string): string {
    const meta = pod.metadata as Json;
    return `${String(meta.namespace)}/${String(meta.name)}/${container}`;
  }

  /** The container's current log file ("" when it never ran): what was rotated away is gone. */
  log(pod: Json, container: string): string {
    return this.#containers.get(this.#key(pod, container))?.log ?? '';
  }

  /** Bytes of the container's output rotated away (tests check a rotation happened). */
  rotatedBytes(pod: Json, container: string): number {
    return this.#containers.get(this.#key(pod, container))?.rotatedBytes ?? 0;
  }

  /**
   * Rotates the current file when it passes containerLogMaxSize, at the end of the line that took it
   * past (the runtime writes whole lines and reopens the file between them), as often as needed.
   */
  #rotate(running: Running): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8: most appends need no byte count at all.
    if (running.log.length * 3 <= this.containerLogMaxSize) return;
    let file = Buffer.from(running.log);
    while (file.length > this.containerLogMaxSize) {
      const end = file.indexOf(10, this.containerLogMaxSize - 1);
      if (end < 0) break;
      running.rotatedBytes += end + 1;
      file = file.subarray(end + 1);
    }
    running.log = file.toString('utf8');
  }

  #setState(handle: ContainerHandle, state: Json, extra: Json = {}): void {
    handle.pod.status ??= {};
    const status = handle.pod.status as Json;
    const field = handle.ephemeral ? 'ephemeralContainerStatuses' : 'containerStatuses';
    status[field] ??= [];
    const list = (status[field] as Json[]).filter((s) => s.name !== handle.container.name);
    list.push({
      name: handle.container.name,
      image: handle.container.image,
      // The runtime reports the image it created the container from; a waiting container has none.
      imageID: state.running || state.terminated ? pulledImageID(String(handle.container.image)) : '',
      ready: false,
      restartCount: 0,
      state,
      lastState: {},
      ...extra,
    });
    status[field] = list;
    handle.changed();
  }

  /** Starts a container: ContainerCreating now, then pull, run and terminate asynchronously like a node would. */
  start(handle: ContainerHandle): void {
    const name = String(handle.container.name);
    const running: Running = { log: '', rotatedBytes: 0, image: String(handle.container.image) };
    this.#containers.set(this.#key(handle.pod, name), running);
    this.#setState(handle, { waiting: { reason: 'ContainerCreating' } });
    const image = String(handle.container.image);
    const behaviour = this.images.get(image) ?? 'ok';
    setTimeout(
      () => {
        if (!this.#containers.has(this.#key(handle.pod, name))) return;
        switch (behaviour) {
          case 'pull-error':
            this.#setState(handle, {
              waiting: {
                reason: 'ErrImagePull',
                message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
              },
            });
            setTimeout(
              () =>
                this.#setState(handle, {
                  waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
                }),
              100,
            );
            return;
          case 'slow-start':
            return;
          case 'ok':
          case 'crash': {
            // After the pull, the kubelet builds the container's config and refuses one that would run as root.
            const refused = runAsNonRootError(handle.pod, handle.container, this.imageUsers.get(image) ?? '65532');
            if (refused) {
              this.#setState(handle, { waiting: { reason: 'CreateContainerConfigError', message: refused } });
              return;
            }
            this.#run(handle, running, behaviour === 'crash');
            return;
          }
          default: {
            const unreachable: never = behaviour;
            throw new Error(`unknown image behaviour ${String(unreachable)}`);
          }
        }
      },
      30 + (this.pullDelays.get(image) ?? 0),
    ).unref();
  }

  /** Runs the container's command: `prober …` is the real CLI from source; anything else does not exist in the image. */
  #run(handle: ContainerHandle, running: Running, crash: boolean): void {
    const command = [
      ...((handle.container.command as string[] | undefined) ?? []),
      ...((handle.container.args as string[] | undefined) ?? []),
    ];
    const startedAt = now();
    if (command[0] !== 'prober') {
      const message = `failed to create containerd task: exec: "${command[0] ?? ''}": executable file not found in $PATH`;
      this.#setState(handle, {
        terminated: { exitCode: 128, reason: 'StartError', message, startedAt, finishedAt: now() },
      });
      return;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOSTNAME: String((handle.pod.metadata as Json).name),
    };
    for (const entry of (handle.container.env as { name: string; value?: string }[] | undefined) ?? [])
      env[entry.name] = entry.value ?? '';
    const argv = [...proberCommand(), ...command.slice(1)];
    const child = handle.netns
      ? spawn('ip', ['netns', 'exec', handle.netns, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.child = child;
    this.#running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.#running);
    child.once('exit', () => (this.#running -= 1));
    this.#setState(handle, { running: { startedAt } }, { started: true });
    let killed = false;
    const append = (chunk: Buffer): void => {
      if (killed) return;
      running.log += chunk.toString('utf8');
      this.#rotate(running);
      const firstResult = running.log.indexOf('"kind":"ProbeResult"');
      if (crash && firstResult >= 0) {
        // Killed right after its first result line: whatever else was in the pipe never made it to the log.
        killed = true;
        const end = running.log.indexOf('\n', firstResult);
        running.log = end >= 0 ? running.log.slice(0, end + 1) : running.log;
        child.kill('SIGKILL');
      }
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.once('close', (code, signal) => {
      if (!this.#containers.has(this.#key(handle.pod, String(handle.container.name)))) return;
      // A process killed by a signal exits 128 + its number, as the runtime reports it.
      const exitCode = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 1);
      const reason = crash ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
      // terminationMessagePolicy FallbackToLogsOnError: a failed container's message is its log tail.
      const fallback = handle.container.terminationMessagePolicy === 'FallbackToLogsOnError' && exitCode !== 0;
      const message = fallback ? running.log.split('\n').slice(-80).join('\n').slice(-2048) : undefined;
      this.#setState(handle, {
        terminated: { exitCode, reason, startedAt, finishedAt: now(), ...(message ? { message } : {}) },
      });
    });
  }

  /**
   * Stops the containers of a pod deleted with a grace period, as the kubelet's killContainer does:
   * SIGTERM (unless the image ignores it), SIGKILL once `graceMs` passes; `stopped` is called when no
   * process of the pod is left (at once when none runs), so the pod can be removed.
   */
  terminatePod(pod: Json, graceMs: number, stopped: () => void): void {
    const prefix = this.#key(pod, '');
    const alive = [...this.#containers]
      .filter(
        ([key, c]) => key.startsWith(prefix) && c.child && c.child.exitCode === null && c.child.signalCode === null,
      )
      .map(([, c]) => ({ image: c.image, child: c.child as ChildProcess }));
    if (alive.length === 0) {
      stopped();
      return;
    }
    const killNow = (): void => {
      for (const { child } of alive) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const kill = setTimeout(() => (this.holdKills ? this.#heldKills.push(killNow) : killNow()), graceMs);
    for (const { image, child } of alive) if (!this.ignoresStop.has(image)) child.kill('SIGTERM');
    void Promise.all(
      alive.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) resolve();
            else child.once('close', () => resolve());
          }),
      ),
    ).then(() => {
      clearTimeout(kill);
      stopped();
    });
  }

  /** Kills one running container's process, as the kernel's OOM killer does (it ends terminated, exit 137). */
  kill(pod: Json, container: string): void {
    this.#containers.get(this.#key(pod, container))?.child?.kill('SIGKILL');
  }

  /** Stops every container of a pod (the pod was deleted): processes are killed, logs forgotten. */
  stopPod(pod: Json): void {
    const prefix = this.#key(pod, '');
    for (const [key, running] of this.#containers) {
      if (!key.startsWith(prefix)) continue;
      if (running.child && running.child.exitCode === null) running.child.kill('SIGKILL');
      this.#containers.delete(key);
    }
  }

  /** Processes still running (tests assert none are left). */
  get liveProcesses(): number {
    return [...this.#containers.values()].filter(
      (c) => c.child && c.child.exitCode === null && c.child.signalCode === null,
    ).length;
  }

  /** Kills everything (server shutdown). */
  stopAll(): void {
    for (const running of this.#containers.values())
      if (running.child && running.child.exitCode === null) running.child.kill('SIGKILL');
    this.#containers.clear();
  }
}
