// kubeconfig files found, read and merged as kubectl does (client-go tools/clientcmd/loader.go,
// ClientConfigLoadingRules.Load): read with a size bound, relative paths resolved against each file's
// directory, the first file winning for every named entry and for current-context.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ClusterError } from './cluster-error.ts';

/** The most bytes prober reads of one kubeconfig: far above a kubeconfig of hundreds of clusters with their CAs. */
export const KUBECONFIG_MAX_BYTES = 16 * 2 ** 20;

/** The most bytes of a file a kubeconfig names (a CA bundle, a client certificate or key, a token). */
export const REFERENCED_FILE_MAX_BYTES = 2 ** 20;

/** A kubeconfig that cannot be used; printed as one line, exit 2. */
class KubeconfigError extends ClusterError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeconfigError';
  }
}

type Json = Record<string, unknown>;

/** A named entry (`clusters[]`, `users[]`, `contexts[]`) as the file writes it. */
interface Named {
  readonly name: string;
  readonly [field: string]: unknown;
}

/** The merged kubeconfig, in the file format client-node reads, and the file each user came from. */
export interface MergedKubeconfig {
  readonly clusters: Named[];
  readonly users: Named[];
  readonly contexts: Named[];
  readonly 'current-context'?: string;
  /** The file that defined each user (exec commands without a slash are looked up relative to it). */
  readonly userFiles: ReadonlyMap<string, string>;
  /** The files read (missing ones left out). */
  readonly files: readonly string[];
}

/**
 * The files kubectl reads: `--kubeconfig` alone; else every file of `$KUBECONFIG` (`:`-separated, a path
 * listed twice read once); else `~/.kube/config` (client-go NewDefaultClientConfigLoadingRules).
 */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return [...new Set(env.KUBECONFIG.split(':').filter(Boolean))];
  return [join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** A file's bytes, at most KUBECONFIG_MAX_BYTES (a device or a FIFO is never trusted to end); undefined when missing. */
function readBounded(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KubeconfigError(`unable to read kubeconfig ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(256 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return Buffer.concat(chunks, total).toString('utf8');
      total += n;
      if (total > KUBECONFIG_MAX_BYTES)
        throw new KubeconfigError(
          `kubeconfig ${file} is larger than ${KUBECONFIG_MAX_BYTES / 2 ** 20} MiB, the most prober reads of one`,
        );
      chunks.push(chunk.subarray(0, n));
    }
  } catch (error) {
    if (error instanceof KubeconfigError) throw error;
    throw new KubeconfigError(`unable to read kubeconfig ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One list of named entries of a file; a name twice in one file is an error, as client-go's conversion makes it. */
function entries(file: string, config: Json, list: 'clusters' | 'users' | 'contexts', body: string): Named[] {
  const value = config[list];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new KubeconfigError(`kubeconfig ${file}: ${list} is not a list`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string')
      throw new KubeconfigError(`kubeconfig ${file}: ${list}[${i}] has no name`);
    if (seen.has(entry.name))
      throw new KubeconfigError(`kubeconfig ${file}: duplicate name "${entry.name}" in ${list}`);
    seen.add(entry.name);
    if (entry[body] !== undefined && !isObject(entry[body]))
      throw new KubeconfigError(`kubeconfig ${file}: ${list}[${i}].${body} is not a mapping`);
    return entry as Named;
  });
}

/**
 * A file a kubeconfig names must be a regular file of at most REFERENCED_FILE_MAX_BYTES: client-node reads
 * it whole on every request, so `certificate-authority: /dev/zero` would never end. A missing one is left
 * to client-node, which names it when it is used.
 */
function checkReferenced(name: string, field: string, path: string): void {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return;
  }
  if (!stat.isFile()) throw new KubeconfigError(`kubeconfig entry "${name}": ${field} ${path} is not a regular file`);
  if (stat.size > REFERENCED_FILE_MAX_BYTES)
    throw new KubeconfigError(
      `kubeconfig entry "${name}": ${field} ${path} is larger than ${REFERENCED_FILE_MAX_BYTES / 2 ** 20} MiB`,
    );
}

/** `entry` with its file paths made absolute against `dir` (client-go ResolveLocalPaths). */
function resolvePaths(entry: Named, body: string, fields: readonly string[], dir: string): Named {
  const inner = entry[body];
  if (!isObject(inner)) return entry;
  const out: Json = { ...inner };
  for (const field of fields) {
    const path = out[field];
    if (typeof path === 'string' && path && !isAbsolute(path)) out[field] = resolve(dir, path);
    if (typeof out[field] === 'string' && out[field]) checkReferenced(entry.name, field, out[field] as string);
  }
  // An exec command with a slash is a path relative to the file; a bare name is looked up in PATH.
  const exec = out.exec;
  if (isObject(exec) && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command))
    out.exec = { ...exec, command: resolve(dir, exec.command) };
  return { ...entry, [body]: out };
}

/** One file parsed: its entries with paths resolved, or undefined when the file does not exist. */
function loadFile(
  file: string,
): { clusters: Named[]; users: Named[]; contexts: Named[]; current?: string } | undefined {
  const text = readBounded(file);
  if (text === undefined) return undefined;
  let config: unknown;
  try {
    // Go's YAML reads kubeconfigs as YAML 1.1, and an empty file is an empty config.
    config = text.trim() === '' ? {} : parse(text, { version: '1.1', maxAliasCount: 100 });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new KubeconfigError(`unable to read kubeconfig ${file}: ${message}`, { cause: error });
  }
  if (config === null || config === undefined) config = {};
  if (!isObject(config))
    throw new KubeconfigError(`kubeconfig ${file} is not a mapping (a kubeconfig is a Config object)`);
  const dir = dirname(resolve(file));
  const current = config['current-context'];
  return {
    clusters: entries(file, config, 'clusters', 'cluster').map((c) =>
      resolvePaths(c, 'cluster', ['certificate-authority'], dir),
    ),
    users: entries(file, config, 'users', 'user').map((u) =>
      resolvePaths(u, 'user', ['client-certificate', 'client-key', 'tokenFile', 'token-file'], dir),
    ),
    contexts: entries(file, config, 'contexts', 'context'),
    ...(typeof current === 'string' && current ? { current } : {}),
  };
}

/**
 * Reads and merges `files` as client-go's Load does: a missing file is skipped (an explicit
 * `--kubeconfig` that is missing is an error), the first file to name a cluster, user or context wins
 * it whole (later files' entries of that name are dropped, not merged field by field), and the first
 * file that sets current-context sets it.
 */
export function loadKubeconfigs(files: readonly string[], explicit: boolean): MergedKubeconfig {
  const merged = { clusters: [] as Named[], users: [] as Named[], contexts: [] as Named[] };
  const userFiles = new Map<string, string>();
  const read: string[] = [];
  let current: string | undefined;
  for (const file of files) {
    const loaded = loadFile(file);
    if (!loaded) {
      if (explicit) throw new KubeconfigError(`kubeconfig ${file} does not exist`);
      continue;
    }
    read.push(file);
    for (const list of ['clusters', 'users', 'contexts'] as const) {
      const names = new Set(merged[list].map((e) => e.name));
      for (const entry of loaded[list]) {
        if (names.has(entry.name)) continue;
        merged[list].push(entry);
        if (list === 'users') userFiles.set(entry.name, file);
      }
    }
    current ??= loaded.current;
  }
  return { ...merged, ...(current ? { 'current-context': current } : {}), userFiles, files: read };
}

/** True when the files held nothing (client-go IsConfigEmpty): only then is the in-cluster config used. */
export function isEmptyKubeconfig(config: MergedKubeconfig): boolean {
  return (
    config.clusters.length === 0 &&
    config.users.length === 0 &&
    config.contexts.length === 0 &&
    !config['current-context']
  );
}
