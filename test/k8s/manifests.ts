// Reads the repository's manifests: every YAML document under k8s/ and policies/, and what the kustomizations render.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root (this file lives in test/k8s/). */
export const REPO = resolve(import.meta.dirname, '..', '..');

/** A Kubernetes-style object as written in a manifest. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** One YAML document of a file, with where it came from. */
export interface SourcedObject {
  readonly object: K8sObject;
  /** Repository-relative path and the document's first line, for messages. */
  readonly where: string;
}

/** Every .yaml/.yml file under `dir` (repository-relative), sorted. */
export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs).sort()) {
      const path = join(abs, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) out.push(relative(REPO, path));
    }
  };
  walk(join(REPO, dir));
  return out;
}

/** Parses every document of a repository-relative YAML file; throws with file:line on any YAML error. */
export function readDocuments(file: string): SourcedObject[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const docs = parseAllDocuments(text, { prettyErrors: true, strict: true, uniqueKeys: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  const out: SourcedObject[] = [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) throw new Error(`${file}:${error.linePos?.[0].line ?? '?'}: ${error.message}`, { cause: error });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const line = doc.contents?.range ? lineOf(text, doc.contents.range[0]) : 1;
    out.push({ object: value as K8sObject, where: `${file}:${line}` });
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The kustomize fields the repository uses (a kustomization outside them is reported by the tests). */
export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  configMapGenerator?: {
    name: string;
    files: string[];
    options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
  }[];
}

/** What `kubectl kustomize DIR` would produce, for the features used here, plus the files it read. */
export interface Rendered {
  readonly objects: SourcedObject[];
  readonly files: string[];
  readonly images: NonNullable<Kustomization['images']>;
}

/**
 * Renders a kustomization directory (repository-relative): resources (files and nested
 * kustomizations), configMapGenerator with fixed names, `namespace`, and `images` (collected, not
 * applied: the tests compare them with the manifests). Anything else fails, so a feature added to a
 * kustomization is not silently ignored by the tests.
 */
export function renderKustomization(dir: string): Rendered {
  const file = join(dir, 'kustomization.yaml');
  const [doc] = readDocuments(file);
  const k = (doc?.object ?? {}) as Kustomization;
  const known = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'configMapGenerator']);
  const unknown = Object.keys(k).filter((key) => !known.has(key));
  if (unknown.length) throw new Error(`${file}: fields the test renderer does not model: ${unknown.join(', ')}`);
  const objects: SourcedObject[] = [];
  const files = [file];
  const images = [...(k.images ?? [])];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(join(REPO, path)).isDirectory()) {
      const nested = renderKustomization(path);
      objects.push(...nested.objects);
      files.push(...nested.files);
      images.push(...nested.images);
    } else {
      objects.push(...readDocuments(path));
      files.push(path);
    }
  }
  for (const generator of k.configMapGenerator ?? []) {
    if (generator.options?.disableNameSuffixHash !== true)
      throw new Error(`${file}: ${generator.name}: hashed names are not modelled`);
    const data: Record<string, string> = {};
    for (const entry of generator.files) {
      const [key, source] = entry.includes('=')
        ? (entry.split('=', 2) as [string, string])
        : [entry.split('/').pop() ?? entry, entry];
      data[key] = readFileSync(join(REPO, dir, source), 'utf8');
      files.push(join(dir, source));
    }
    const labels = generator.options.labels;
    const object: K8sObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: generator.name, ...(labels ? { labels } : {}) },
      data,
    };
    objects.push({ object, where: `${file} (configMapGenerator ${generator.name})` });
  }
  if (k.namespace) {
    for (const { object } of objects)
      if (object.kind !== 'Namespace' && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
  }
  return { objects, files, images };
}

/** Kinds without a namespace, among those the repository uses. */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'IngressClass',
  'CustomResourceDefinition',
]);

/** The objects of a kind in a rendered set. */
export function ofKind(objects: readonly SourcedObject[], kind: string): SourcedObject[] {
  return objects.filter((o) => o.object.kind === kind);
}
