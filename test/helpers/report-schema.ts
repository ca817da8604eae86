// Validates real report output against the JSON Schema shipped in the repo.

import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../src/report/report.schema.json' with { type: 'json' };

const ajv = new Ajv({ allErrors: true, strict: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(schema);

/** Returns the schema violations of a parsed report (empty when valid). */
export function reportSchemaErrors(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** A cell of a JSON report, as the lab and probe tests read it (the schema above says what else it holds). */
export interface ReportCell {
  readonly from: string;
  readonly to: string;
  readonly result: string;
  readonly observed: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly model?: { readonly verdict: string };
  readonly cause?: { readonly code: string; readonly sentence: string };
}
