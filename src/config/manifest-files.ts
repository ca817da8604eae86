// Reads YAML/JSON manifest files (and directories of them) into documents that remember their lines.
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';

/** One Kubernetes object of a file, with where it starts and a way to find its fields' lines. */
export interface ManifestObject {
  readonly value: unknown;
  /** `file:line` of the object's first line. */
  readonly source: string;
  /** `file:line` of a field inside the object (the nearest existing parent if it is missing). */
  locate(path: readonly (string | number)[]): string;
}

const EXTENSIONS = /\.(ya?ml|json)$/i;
const KUSTOMIZE_FILES = /(^|[\\/])kustomization\.ya?ml$|(^|[\\/])Kustomization$/;

/** Expands files and directories (recursively, sorted) into manifest file paths. */
async function expand(path: string, baseDir: string, explicit: boolean): Promise<string[]> {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  let info;
  try {
    info = await stat(full);
  } catch (cause) {
    throw new Error(`unable to read manifests at ${path}`, { cause });
  }
  if (info.isDirectory()) {
    const entries = (await readdir(full)).sort();
    const nested = await Promise.all(entries.map((e) => expand(join(path, e), baseDir, false)));
    return nested.flat();
  }
  // kustomize's own files describe how to combine manifests, not objects of the cluster.
  if (!explicit && KUSTOMIZE_FILES.test(path)) return [];
  return explicit || EXTENSIONS.test(path) ? [path] : [];
}

function display(path: string, baseDir: string): string {
  return isAbsolute(path) ? relative(baseDir, path) || path : path;
}

function objectsOf(doc: Document, file: string, lines: LineCounter): ManifestObject[] {
  const at = (offset: number): string => `${file}:${lines.linePos(offset).line}`;
  const startOf = (path: readonly (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return node.range[0];
    }
    return undefined;
  };
  const make = (value: unknown, prefix: readonly (string | number)[]): ManifestObject => ({
    value,
    source: at(startOf(prefix) ?? 0),
    locate: (path) => at(startOf([...prefix, ...path]) ?? 0),
  });
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return [];
  const list = value as { kind?: unknown; items?: unknown };
  // `kind: List` (kubectl's output) holds the objects in `items`.
  if (typeof list === 'object' && list.kind === 'List' && Array.isArray(list.items)) {
    return list.items.map((item, i) => make(item, ['items', i]));
  }
  return [make(value, [])];
}

/**
 * Reads every manifest under `paths` (files or directories, relative to `baseDir`).
 * Syntax errors are reported as `file:line: message`.
 */
export async function readManifestObjects(paths: readonly string[], baseDir: string = process.cwd()): Promise<{ files: string[]; objects: ManifestObject[] }> {
  const files = (await Promise.all(paths.map((p) => expand(p, baseDir, true)))).flat();
  const objects: ManifestObject[] = [];
  for (const path of files) {
    const file = display(path, baseDir);
    let text: string;
    try {
      text = await readFile(isAbsolute(path) ? path : resolve(baseDir, path), 'utf8');
    } catch (cause) {
      throw new Error(`unable to read ${file}`, { cause });
    }
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
        throw new Error(`${file}:${line}: invalid YAML: ${error.message.split('\n')[0]}`);
      }
      objects.push(...objectsOf(doc, file, lines));
    }
  }
  return { files: files.map((f) => display(f, baseDir)), objects };
}
