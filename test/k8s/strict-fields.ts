// Finds fields a Kubernetes object has but its API type does not, as kubectl's strict validation would.

import * as k8s from '@kubernetes/client-node';
import type { K8sObject } from './manifests.ts';

// kubernetes-models checks types and required fields but lets unknown fields pass; a typo such as
// `readOnlyRootFileSystem` would then only be caught by the API server. client-node's generated
// models list every field of every API type, which is enough to walk an object against them.
interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

const MODELS = k8s as unknown as Record<string, ModelClass | undefined>;

/** The client-node model name of a built-in object (only v1 API versions are used here). */
export function modelName(object: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  if (!/(^|\/)v1$/.test(object.apiVersion)) throw new Error(`no strict-field model for ${object.apiVersion}`);
  return `V1${object.kind}`;
}

/** Paths (like `spec.template.spec.containers[0].bogus`) of fields the object's API type does not define. */
export function unknownFields(object: K8sObject): string[] {
  const name = modelName(object);
  if (!MODELS[name]?.getAttributeTypeMap) throw new Error(`client-node has no model ${name}`);
  const out: string[] = [];
  walk(object, name, '', out);
  return out;
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1]) {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, array[1] as string, `${path}[${i}]`, out);
    }
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1]) {
    if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, map[1], `${path}.${key}`, out);
    return;
  }
  const model = MODELS[type];
  if (!model?.getAttributeTypeMap || !isRecord(value)) return; // a scalar, IntOrString, any …
  const attributes = model.getAttributeTypeMap();
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    const at = path ? `${path}.${key}` : key;
    if (attribute) walk(item, attribute.type, at, out);
    else out.push(at);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
