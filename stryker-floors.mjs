// After a mutation run: every area in the report holds its own floor, also when several areas ran as one.

import { readFileSync } from 'node:fs';
import { isAbsolute, matchesGlob, relative } from 'node:path';
import { areas, chosen, floors, reportDir } from './stryker.config.mjs';

/**
 * Stryker's mutation score, as mutation-testing-metrics computes it (and `thresholds.break` reads it):
 * caught (killed, timed out) over every mutant that ran or could not (those, survived, no coverage);
 * compile errors, runtime errors, ignored and pending mutants do not count. NaN when none counts.
 * @param {readonly { status: string }[]} mutants
 */
export function mutationScore(mutants) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const detected = count('Killed') + count('Timeout');
  const valid = detected + count('Survived') + count('NoCoverage');
  return valid > 0 ? (detected / valid) * 100 : Number.NaN;
}

/**
 * Whether `file` (relative to the repository) is one an area mutates: it matches one of the area's globs and
 * none of its `!` globs, as Stryker's `mutate` reads them.
 * @param {string} file
 * @param {readonly string[]} globs
 */
export function inArea(file, globs) {
  const matching = (glob) => matchesGlob(file, glob);
  const included = globs.filter((glob) => !glob.startsWith('!'));
  const excluded = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  return included.some(matching) && !excluded.some(matching);
}

/**
 * Each named area's score over the files of `report` (a mutation-testing-report-schema document) it mutates,
 * against its floor. An area none of whose files is in the report (a run narrowed by `--mutate`) is left out.
 * @param {{ files: Record<string, { mutants: { status: string }[] }>, projectRoot?: string }} report
 * @param {readonly string[]} names
 * @param {Record<string, { mutate: string[] }>} areaGlobs
 * @param {Record<string, number>} areaFloors
 * @returns {{ name: string, files: number, mutants: number, score: number, floor: number | undefined, holds: boolean }[]}
 */
export function areaScores(report, names, areaGlobs = areas, areaFloors = floors) {
  const files = Object.entries(report.files).map(([name, file]) => ({
    name: isAbsolute(name) ? relative(report.projectRoot ?? process.cwd(), name) : name,
    mutants: file.mutants,
  }));
  return names.flatMap((name) => {
    const mine = files.filter((file) => inArea(file.name, areaGlobs[name].mutate));
    if (mine.length === 0) return [];
    const mutants = mine.flatMap((file) => file.mutants);
    const score = mutationScore(mutants);
    const floor = areaFloors[name];
    // A score of NaN (no mutant counted) holds: there was nothing to catch.
    const holds = floor === undefined || Number.isNaN(score) || score >= floor;
    return [{ name, files: mine.length, mutants: mutants.length, score, floor, holds }];
  });
}

if (import.meta.main) {
  const file = process.argv[2] ?? `${reportDir}/mutation.json`;
  const scores = areaScores(JSON.parse(readFileSync(file, 'utf8')), chosen);
  for (const s of scores) {
    const floor = s.floor === undefined ? 'no floor' : `floor ${s.floor}`;
    const verdict = s.holds ? 'ok' : 'BELOW FLOOR';
    console.log(
      `${s.name}: ${s.score.toFixed(2)} % over ${s.mutants} mutants in ${s.files} files (${floor}): ${verdict}`,
    );
  }
  if (scores.some((s) => !s.holds)) {
    console.error(`${file}: an area is below its floor (stryker.config.mjs floors)`);
    process.exitCode = 1;
  }
}
