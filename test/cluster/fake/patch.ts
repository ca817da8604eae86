// The patch formats the `pods/ephemeralcontainers` subresource accepts, applied as the API server does.

import fastJsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { StatusError, unsupportedMediaType } from './status.ts';

/** Media types the API server accepts for PATCH (it answers 415 for anything else, e.g. application/json). */
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
] as const;

type Json = Record<string, unknown>;

/**
 * Strategic merge of the one list this subresource changes: `spec.ephemeralContainers` is merged by
 * its patch merge key, `name` (an entry with a new name is appended, one with a known name is merged).
 */
function strategicMerge(pod: Json, patch: Json): Json {
  const next = structuredClone(pod);
  const spec = (next.spec ?? {}) as Json;
  const incoming = ((patch.spec as Json | undefined)?.ephemeralContainers ?? []) as Json[];
  if (!Array.isArray(incoming)) throw new StatusError(400, 'BadRequest', 'spec.ephemeralContainers must be a list');
  const list = [...((spec.ephemeralContainers ?? []) as Json[])];
  for (const entry of incoming) {
    const at = list.findIndex((c) => c.name === entry.name);
    if (at < 0) list.push(entry);
    else list[at] = jsonMergePatch.apply(structuredClone(list[at]), entry) as Json;
  }
  spec.ephemeralContainers = list;
  next.spec = spec;
  return next;
}

/**
 * Applies a PATCH body of the given content type to a pod and returns the result. The subresource
 * keeps only the change to `spec.ephemeralContainers`; changes to other fields are dropped.
 */
export function applyEphemeralPatch(pod: Json, contentType: string, text: string): Json {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (!(PATCH_TYPES as readonly string[]).includes(type)) throw unsupportedMediaType(PATCH_TYPES);
  if (type === 'application/apply-patch+yaml')
    throw new StatusError(415, 'UnsupportedMediaType', 'the fake API server does not implement server-side apply');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new StatusError(400, 'BadRequest', `error decoding patch: ${(error as Error).message}`);
  }
  let patched: Json;
  try {
    if (type === 'application/strategic-merge-patch+json') patched = strategicMerge(pod, body as Json);
    else if (type === 'application/merge-patch+json')
      patched = jsonMergePatch.apply(structuredClone(pod), body) as Json;
    else patched = fastJsonPatch.applyPatch(structuredClone(pod), body as never, true, false).newDocument as Json;
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const spec = structuredClone(pod.spec ?? {}) as Json;
  spec.ephemeralContainers = ((patched.spec as Json | undefined)?.ephemeralContainers ?? []) as Json[];
  return { ...pod, spec };
}
