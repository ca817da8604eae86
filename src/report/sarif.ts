// `prober lint -o sarif`: SARIF 2.1.0, the format code-scanning UIs (GitHub, GitLab, Azure DevOps) annotate files with.
import { CHECKS, type Finding, type LintResult, type Severity } from '../model/lint.ts';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** PL001 → PolicySelectsNothing: SARIF's rule names are identifiers in PascalCase. */
function ruleName(kebab: string): string {
  return kebab.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Every segment of a path percent-encoded, so the URI leads back to the file: `#` and `?` would start a
 * fragment or a query, `%` an escape, and a colon in a relative reference's first segment a scheme
 * (RFC 3986 §4.2); spaces and non-ASCII are not URI characters. encodeURI leaves `#`, `?` and `:` as they are.
 */
const encodePath = (path: string): string => path.toWellFormed().split('/').map(encodeURIComponent).join('/');

/** A relative path with forward slashes, against the checkout root; an absolute one as a file URI. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  const slashed = file.replaceAll('\\', '/');
  if (slashed.startsWith('/')) return { uri: `file://${encodePath(slashed)}` };
  return { uri: encodePath(slashed.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: f.id,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message}. Fix: ${f.hint}` },
    ...(f.location
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact(f.location.file),
                region: { startLine: f.location.line },
              },
              logicalLocations: [{ name: f.subject }],
            },
          ],
        }
      : {}),
    // Code-scanning UIs track a finding across commits by this, not by its line.
    partialFingerprints: { 'proberSubject/v1': `${f.id}:${f.subject}` },
    properties: { subject: f.subject, hint: f.hint },
  };
}

/** The findings as one SARIF 2.1.0 log with one run; every check is listed as a rule, found or not. */
export function renderSarif(lint: LintResult, version: string): string {
  const checks = Object.values(CHECKS);
  const index = new Map(checks.map((c, i) => [c.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'prober',
            semanticVersion: version,
            rules: checks.map((c) => ({
              id: c.id,
              name: ruleName(c.name),
              shortDescription: { text: c.description },
              defaultConfiguration: { level: LEVEL[c.severity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'the directory prober lint ran in' } } },
        results: lint.findings.map((f) => result(f, index.get(f.id)!)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
