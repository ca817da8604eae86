// Loads a LabProfile file: YAML with positions, schema check, then the checks a schema cannot express.

import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { InputIo } from '../model/io.ts';
import { hostProblem, nameProblem, quoteName } from '../model/k8s-names.ts';
import { type DemoStory, type LabProfile, MAX_PROFILE_BYTES, type ProgramChoice } from '../model/lab-profile.ts';
import type { DemoStoryDocument, LabProfileDocument } from '../model/lab-profile-schema.ts';
import { formatPath } from '../model/names.ts';
import { ConfigError } from './config-error.ts';
import { readText } from './read-input.ts';
import { checkSchema } from './schema-check.ts';
import { validateProfile } from './validators.ts';
import { type PositionedDocument, parseSingleYaml } from './yaml-file.ts';

/** Who states the requirement when the profile does not say. */
const DEFAULT_REQUIRED_BY = 'the profile';

/** Reads and validates a LabProfile file (`-`: `io.stdin`). Throws ConfigError (file:line: field: message). */
export async function loadLabProfile(file: string, io: InputIo): Promise<LabProfile> {
  const { origin, text } = await readText(file, { bytes: MAX_PROFILE_BYTES, what: 'a lab profile' }, io);
  return parseLabProfile(origin, text, io.cwd);
}

/**
 * Validates LabProfile text; `file` names it in messages, and its directory anchors relative paths,
 * which come back relative to `cwd` (the working directory) when inside it.
 */
export function parseLabProfile(file: string, text: string, cwd: string): LabProfile {
  const doc = parseSingleYaml(file, text);
  checkSchema(doc, validateProfile);
  const raw = doc.value as LabProfileDocument;
  const base = dirname(resolve(cwd, file));
  const paths = (list: readonly string[] | undefined) => list?.map((p) => anchored(cwd, base, p));
  const manifests = paths(raw.spec.manifests);
  const programs = (raw.spec.programs ?? []).map((choice, i) => checkChoice(doc, choice, i));
  const seen = new Map<string, number>();
  for (const [i, { image }] of programs.entries()) {
    const first = seen.get(image);
    if (first !== undefined)
      fail(
        doc,
        ['spec', 'programs', i, 'image'],
        `the image ${quoteName(image)} is already chosen in programs[${first}]`,
      );
    seen.set(image, i);
  }
  return {
    file,
    name: raw.metadata.name,
    ...(manifests ? { manifests } : {}),
    programs,
    ...(raw.spec.demo ? { demo: checkDemo(doc, raw.spec.demo, paths) } : {}),
  };
}

/**
 * A path of the profile, relative to the profile's directory, as later commands and messages use it:
 * relative to the working directory when it lies inside it (`../k8s` of policies/lab-profile.yaml is
 * `k8s` from the repository root), absolute otherwise.
 */
function anchored(cwd: string, base: string, path: string): string {
  const full = resolve(base, path);
  const inside = relative(cwd, full);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : full;
}

function fail(doc: PositionedDocument, path: (string | number)[], message: string): never {
  throw new ConfigError(doc.file, doc.lineOf(path), formatPath(path), message);
}

/** An image repository as containers name it: lowercase path segments, no tag or digest. */
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;

function checkChoice(doc: PositionedDocument, choice: ProgramChoice, i: number): ProgramChoice {
  const at = ['spec', 'programs', i, 'image'];
  // A colon is a tag unless it is a registry's port (`registry:5000/app`).
  if (choice.image.includes('@') || /:(?![0-9]+\/)/.test(choice.image))
    fail(doc, at, `${quoteName(choice.image)}: name the image without tag or digest (they are ignored when matching)`);
  if (!REPOSITORY.test(choice.image))
    fail(
      doc,
      at,
      `${quoteName(choice.image)} is not an image name (lowercase path segments, e.g. registry.example/team/app)`,
    );
  return { image: choice.image, program: choice.program };
}

function checkDemo(
  doc: PositionedDocument,
  demo: DemoStoryDocument,
  paths: (list: readonly string[] | undefined) => string[] | undefined,
): DemoStory {
  const at = (...rest: (string | number)[]) => ['spec', 'demo', ...rest];
  const namespace = nameProblem('dns1123-label', demo.from);
  if (namespace) fail(doc, at('from'), `${quoteName(demo.from)} is not a namespace name: ${namespace}`);
  const host = hostProblem(demo.host);
  if (host || demo.host.startsWith('*.'))
    fail(doc, at('host'), `${quoteName(demo.host)} is not a host name: ${host ?? 'a wildcard cannot be called'}`);
  const names = new Map<string, number>();
  for (const [i, check] of demo.checks.entries()) {
    // The path is appended to http://<host>: it must stay a path, with nothing a URL would read as more.
    if (!/^\/[\x21-\x7e]*$/.test(check.path) || check.path.includes('#'))
      fail(
        doc,
        at('checks', i, 'path'),
        `${quoteName(check.path)} is not a request path (a "/" and printable ASCII, no spaces, no fragment)`,
      );
    if (check.name === undefined) {
      if (check.before || check.after)
        fail(
          doc,
          at('checks', i, 'name'),
          'a check with "before" or "after" needs a name for the verdict (e.g. "case 1")',
        );
      continue;
    }
    const key = check.name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined)
      fail(doc, at('checks', i, 'name'), `the name ${quoteName(check.name)} is already used by checks[${first}]`);
    names.set(key, i);
  }
  if (!demo.checks.some((c) => c.before || c.after))
    fail(doc, at('checks'), 'no check says what it must show ("before", "after"): the demo would have no verdict');
  const policies = paths(demo.policies);
  const [test] = paths(demo.test === undefined ? undefined : [demo.test]) ?? [];
  return {
    requiredBy: demo.requiredBy ?? DEFAULT_REQUIRED_BY,
    from: demo.from,
    host: demo.host,
    checks: demo.checks,
    ...(policies ? { policies } : {}),
    ...(test ? { test } : {}),
  };
}
