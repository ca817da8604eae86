// Reads YAML/JSON manifest files (and directories of them) into documents that remember their lines.
//
// A walk never follows a symbolic link to a directory (a link back up the tree would loop forever,
// a link to /usr would read a whole system), skips FIFOs, sockets and devices, stops at the first
// error and is bounded in entries, files and bytes. Paths named explicitly (-f) are followed.
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { InputIo } from '../model/io.ts';
import { compareText } from '../model/names.ts';
import { ConfigError } from './config-error.ts';
import { parseJsonDocument } from './json-file.ts';
import { readAtMost, STDIN_PATH } from './read-input.ts';
import { decodeText } from './text-encoding.ts';
import { mapYamlDocuments, type PositionedDocument } from './yaml-file.ts';

/** One Kubernetes object of a file, with where it starts and a way to find its fields' lines. */
export interface ManifestObject {
  readonly value: unknown;
  /** `file:line` of the object's first line. */
  readonly source: string;
  /** `file:line` of a field inside the object (the nearest existing parent if it is missing). */
  locate(path: readonly (string | number)[]): string;
}

/** How much one read of manifests may take in; far above a real cluster's export, far below a wrong -f /. */
export interface ManifestLimits {
  /** Directory entries looked at, manifests or not. */
  readonly entries: number;
  readonly files: number;
  /** Total size of the manifest files read. */
  readonly bytes: number;
}

/** The limits of `-f`, `fromPolicies` and `lab up -f` (README: "Reading manifests"). */
const MANIFEST_LIMITS: ManifestLimits = { entries: 100_000, files: 20_000, bytes: 64 * 1024 * 1024 };

const EXTENSIONS = /\.(ya?ml|json)$/i;
const KUSTOMIZE_FILES = /(^|[\\/])kustomization\.ya?ml$|(^|[\\/])Kustomization$/;

/** A file to read: its path as shown in messages and whether the user named it (FIFOs allowed then). */
interface Found {
  readonly path: string;
  readonly explicit: boolean;
}

class Walk {
  private entries = 0;
  readonly found: Found[] = [];
  private readonly baseDir: string;
  private readonly limits: ManifestLimits;

  constructor(baseDir: string, limits: ManifestLimits) {
    this.baseDir = baseDir;
    this.limits = limits;
  }

  full(path: string): string {
    return isAbsolute(path) ? path : resolve(this.baseDir, path);
  }

  /** A path for messages: as given, or relative to the base when it lies inside it (fromPolicies paths are absolute). */
  shown(path: string): string {
    if (path === STDIN_PATH) return '<stdin>';
    if (!isAbsolute(path)) return path;
    const inside = relative(this.baseDir, path);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  }

  /** A path named by the user: followed if it is a link; a directory is walked, anything else read. */
  async named(path: string): Promise<void> {
    // `-f -`: the manifests on stdin (`kubectl get … -o yaml | prober lint -f -`), read like a named file.
    if (path === STDIN_PATH) return this.add({ path, explicit: true });
    let info: Stats;
    try {
      info = await stat(this.full(path));
    } catch (cause) {
      throw unreadable(this.shown(path), cause);
    }
    if (info.isDirectory()) return this.directory(path);
    // A FIFO or character device is what `-f <(kubectl get … -o yaml)` hands over: read it, bounded.
    if (info.isFile() || info.isFIFO() || info.isCharacterDevice()) return this.add({ path, explicit: true });
    throw new ConfigError(this.shown(path), undefined, undefined, 'unable to read manifests: not a file or directory');
  }

  private async directory(path: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.full(path), { withFileTypes: true });
    } catch (cause) {
      throw unreadable(this.shown(path), cause);
    }
    this.entries += entries.length;
    if (this.entries > this.limits.entries) {
      throw new ConfigError(
        this.shown(path),
        undefined,
        undefined,
        `more than ${count(this.limits.entries)} directory entries under the paths given: name the directories that hold the manifests`,
      );
    }
    // Sorted and one at a time: the order of objects is stable and the first error ends the walk.
    for (const entry of entries.sort((a, b) => compareText(a.name, b.name))) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await this.directory(child);
      else if (entry.isFile()) this.candidate(child);
      else if (entry.isSymbolicLink()) await this.link(child);
      // FIFOs, sockets and devices inside a directory are never manifests: reading one could block forever.
    }
  }

  /** A symbolic link met in a walk: a link to a manifest file is read; links to directories are not followed. */
  private async link(path: string): Promise<void> {
    if (!this.wanted(path)) return;
    let info: Stats;
    try {
      info = await stat(this.full(path));
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new ConfigError(
          this.shown(path),
          undefined,
          undefined,
          'unable to read manifests: a symbolic link to a missing file',
        );
      if (code === 'ELOOP')
        throw new ConfigError(
          this.shown(path),
          undefined,
          undefined,
          'unable to read manifests: a loop of symbolic links',
        );
      throw unreadable(this.shown(path), cause);
    }
    if (info.isFile()) this.add({ path, explicit: false });
  }

  private wanted(path: string): boolean {
    // kustomize's own files describe how to combine manifests, not objects of the cluster.
    return EXTENSIONS.test(path) && !KUSTOMIZE_FILES.test(path);
  }

  private candidate(path: string): void {
    if (this.wanted(path)) this.add({ path, explicit: false });
  }

  private add(found: Found): void {
    if (this.found.length >= this.limits.files) {
      throw new ConfigError(
        this.shown(found.path),
        undefined,
        undefined,
        `more than ${count(this.limits.files)} manifest files under the paths given: name fewer directories`,
      );
    }
    this.found.push(found);
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function unreadable(path: string, cause: unknown): ConfigError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'ELOOP'
          ? 'a loop of symbolic links'
          : (code ?? String(cause));
  return new ConfigError(path, undefined, undefined, `unable to read manifests: ${why}`, { cause });
}

/**
 * Reads at most `budget` bytes; undefined when there is more. A file found by a walk is opened
 * without blocking and must still be a regular file once open (it may have been swapped for a FIFO).
 */
async function readBounded(
  full: string,
  explicit: boolean,
  budget: number,
): Promise<Buffer | undefined | 'not-a-file'> {
  const handle = await open(full, explicit ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!explicit && !(await handle.stat()).isFile()) return 'not-a-file';
    // The handle is closed below, whether the stream ended or was cut off at the budget.
    return await readAtMost(handle.createReadStream({ autoClose: false, highWaterMark: 1 << 20 }), budget);
  } finally {
    await handle.close();
  }
}

/** `List` (what `kubectl get -o yaml` prints) and the typed lists the API serves (`PodList`). */
const LIST_KIND = /^([A-Z][A-Za-z0-9]*)?List$/;

/** The objects of one document: itself, or the items of a list, each with its own lines. */
function objectsOf(doc: PositionedDocument): ManifestObject[] {
  const at = (path: readonly (string | number)[]): string => `${doc.file}:${doc.lineOf(path) ?? 1}`;
  const unwrap = (value: unknown, prefix: readonly (string | number)[]): ManifestObject[] => {
    const list = (typeof value === 'object' && value !== null ? value : {}) as { kind?: unknown; items?: unknown };
    if (typeof list.kind === 'string' && LIST_KIND.test(list.kind) && Array.isArray(list.items))
      return list.items.flatMap((item, i) => unwrap(item, [...prefix, 'items', i]));
    return [{ value, source: at(prefix), locate: (path) => at([...prefix, ...path]) }];
  };
  const value = doc.value;
  if (value === null || value === undefined) return [];
  return unwrap(value, []);
}

/**
 * Reads every manifest under `paths` (files or directories, relative to `io.cwd`; `-` is `io.stdin`). Bad input —
 * a missing path, a dangling link, a YAML error, too much to read — is a ConfigError naming the file.
 */
export async function readManifestObjects(
  paths: readonly string[],
  io: InputIo,
  limits: ManifestLimits = MANIFEST_LIMITS,
): Promise<{ files: string[]; objects: ManifestObject[] }> {
  const walk = new Walk(io.cwd, limits);
  for (const path of paths) await walk.named(path);
  const objects: ManifestObject[] = [];
  let budget = limits.bytes;
  const files: string[] = [];
  for (const { path, explicit } of walk.found) {
    const file = walk.shown(path);
    let bytes: Awaited<ReturnType<typeof readBounded>>;
    try {
      bytes =
        path === STDIN_PATH ? await readAtMost(io.stdin, budget) : await readBounded(walk.full(path), explicit, budget);
    } catch (cause) {
      throw unreadable(file, cause);
    }
    if (bytes === 'not-a-file') continue;
    if (bytes === undefined) {
      throw new ConfigError(
        file,
        undefined,
        undefined,
        `the manifests add up to more than ${count(limits.bytes / (1024 * 1024))} MiB: name fewer or smaller files`,
      );
    }
    budget -= bytes.length;
    files.push(file);
    const text = decodeText(file, bytes);
    const json = parseJsonDocument(file, text);
    for (const object of json ? objectsOf(json) : mapYamlDocuments(file, text, objectsOf)) objects.push(object);
  }
  return { files, objects };
}
