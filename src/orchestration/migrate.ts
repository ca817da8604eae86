// `migrate`: AdminNetworkPolicy and BaselineAdminNetworkPolicy manifests rewritten as ClusterNetworkPolicy v1alpha2.
import { stringify } from 'yaml';
import { modelObjects } from '../config/load-manifests.ts';
import { readManifestObjects } from '../config/manifest-files.ts';
import type { Io } from '../model/io.ts';
import { formatPath } from '../model/names.ts';
import type { ExitCode } from '../model/report.ts';
import { migrateAdminPolicy } from '../policy/index.ts';
import { escapeText } from '../report/escape.ts';
import { warnOn } from './policy-model.ts';
import { UsageError } from './usage-error.ts';

const FROM = new Set(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);

/**
 * Reads the manifests as `simulate` does (anything it refuses is bad input: thrown, exit 2), translates
 * each AdminNetworkPolicy and BaselineAdminNetworkPolicy and writes the ClusterNetworkPolicies to stdout
 * as YAML. What has no exact translation is listed on stderr at its file:line, and then nothing is
 * written and the exit code is 2: a partial set of policies would enforce something else than the input.
 *
 * @example
 *   await runMigrate({ manifests: ['anp.yaml'] }, io); // 0, the YAML on io.stdout
 */
export async function runMigrate(request: { readonly manifests: readonly string[] }, io: Io): Promise<ExitCode> {
  if (request.manifests.length === 0) throw new UsageError('migrate: name the manifests with -f');
  const { files, objects } = await readManifestObjects(request.manifests, io);
  // The same checks as every other command: names, duplicates, each policy's fields.
  modelObjects(objects, files);
  const warn = warnOn(io);
  const out: string[] = [];
  const problems: string[] = [];
  const names = new Map<string, string>();
  const priorities = new Map<unknown, string>();
  for (const at of objects) {
    const o = at.value as Record<string, unknown>;
    if (typeof o?.kind !== 'string' || !FROM.has(o.kind)) continue;
    const result = migrateAdminPolicy(o);
    if (!result.ok) {
      for (const p of result.problems)
        problems.push(`${at.locate(p.path)}: ${o.kind} ${name(o)}: ${formatPath(p.path)}: ${p.message}`);
      continue;
    }
    // ClusterNetworkPolicy names are one cluster-wide set: an ANP and the BANP may both be "default".
    const taken = names.get(name(o));
    if (taken !== undefined)
      problems.push(
        `${at.locate(['metadata', 'name'])}: ${o.kind} ${name(o)}: metadata.name: the ClusterNetworkPolicy name is already taken by ${taken}`,
      );
    names.set(name(o), `${o.kind} ${name(o)} (${at.source})`);
    if (o.kind === 'AdminNetworkPolicy') {
      // Exact as the API goes (v1alpha1 left equal priorities unordered too), but prober ordered ANPs by name.
      const priority = (o.spec as { priority?: unknown }).priority;
      const first = priorities.get(priority);
      if (first !== undefined)
        warn(
          `${at.locate(['spec', 'priority'])}: AdminNetworkPolicy ${name(o)}: spec.priority: ${String(priority)} is also ${first}'s: as ClusterNetworkPolicies of one tier and priority they have no order, and where their rules disagree simulate reports unknown (prober ordered the ANPs by name)`,
        );
      else priorities.set(priority, `AdminNetworkPolicy ${name(o)} (${at.source})`);
    }
    out.push(stringify(result.manifest));
  }
  if (problems.length > 0) {
    for (const line of problems) io.stderr.write(`prober: ${escapeText(line)}\n`);
    io.stderr.write(`prober: ${problems.length} field(s) have no exact ClusterNetworkPolicy form; nothing written\n`);
    return 2;
  }
  if (out.length === 0)
    throw new UsageError(
      `migrate: no AdminNetworkPolicy or BaselineAdminNetworkPolicy in ${request.manifests.join(', ')}`,
    );
  io.stdout.write(out.join('---\n'));
  return 0;
}

const name = (o: Record<string, unknown>): string => String((o.metadata as { name?: unknown } | undefined)?.name);
