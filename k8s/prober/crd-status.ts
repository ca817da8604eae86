// The status schema and printer columns of the ReachabilityTest CustomResourceDefinition, from the
// names and bounds of src/model/reachability-status.ts. Structural (every node typed, lists bounded) so
// the API server can estimate and prune it; conditions follow metav1.Condition's own OpenAPI (a list
// map keyed by type, a reason pattern, the same length limits).

import {
  CONDITION_REASONS,
  CONDITION_TYPES,
  FLIP_STATES,
  MAX_FLIPS,
  MAX_OFF_CELLS,
  MAX_REASON_CHARS,
  OFF_STATES,
  STATUS_VERDICTS,
} from '../../src/model/reachability-status.ts';

type Schema = Record<string, unknown>;

const text = (description: string, maxLength = MAX_REASON_CHARS): Schema => ({
  type: 'string',
  maxLength,
  description,
});
const time = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
const count = (description: string): Schema => ({ type: 'integer', format: 'int32', minimum: 0, description });
const cellNames = {
  source: text('The source, by its name in the test.', 63),
  target: text('The target, by its name in the test.', 63),
  family: text('The IP family the target pins (ipv4, ipv6), or any.', 8),
};

const condition: Schema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string', enum: [...CONDITION_TYPES], description: 'Matched, Drifted or Undecided.' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      enum: Object.keys(CONDITION_REASONS),
      description: 'Why, in one word (docs/watch.md lists them).',
    },
    message: { type: 'string', maxLength: 32768, description: 'Why, in words.' },
    lastTransitionTime: time('When the status last changed.'),
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'The generation of the spec the condition was judged on.',
    },
  },
};

/** `.status`: written by the controller through the status subresource only. */
export const STATUS_SCHEMA: Schema = {
  type: 'object',
  description: 'What the in-cluster watch last saw of this test; written through the status subresource.',
  properties: {
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'The generation of the spec the last run used.',
    },
    verdict: {
      type: 'string',
      enum: [...STATUS_VERDICTS],
      description: "The last run's verdict: Matched, Drifted, Undecided, or Failed when it did not complete.",
    },
    conditions: {
      type: 'array',
      maxItems: CONDITION_TYPES.length,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: condition,
      description: 'One condition per verdict: Matched, Drifted, Undecided.',
    },
    cells: {
      type: 'object',
      description: "The last completed run's cells, by state.",
      properties: {
        total: count('All cells.'),
        matched: count('Cells observed as intended.'),
        mismatched: count('Cells observed the other way.'),
        undecided: count('Checked cells observed neither as allow nor as deny.'),
        unchecked: count('Cells no rule and no policy model names.'),
        off: count('Mismatched and undecided cells.'),
      },
    },
    lastRun: {
      type: 'object',
      required: ['startTime', 'outcome'],
      description: 'The last run, completed or not.',
      properties: {
        startTime: time('When it started.'),
        durationSeconds: { type: 'number', minimum: 0, description: 'How long it took.' },
        outcome: { type: 'string', enum: ['Completed', 'Failed'], description: 'Whether it completed.' },
        message: text('Why it failed, when it did.', 1024),
      },
    },
    offCells: {
      type: 'array',
      maxItems: MAX_OFF_CELLS,
      'x-kubernetes-list-type': 'atomic',
      description: `The cells that are off in the last completed run (at most ${MAX_OFF_CELLS}; the counts cover all).`,
      items: {
        type: 'object',
        required: ['source', 'target', 'state'],
        properties: {
          ...cellNames,
          state: { type: 'string', enum: [...OFF_STATES], description: 'mismatched or undecided.' },
          reason: text('What the probe observed and why.'),
        },
      },
    },
    flips: {
      type: 'array',
      maxItems: MAX_FLIPS,
      'x-kubernetes-list-type': 'atomic',
      description: `The last ${MAX_FLIPS} cells that changed state between runs, oldest first.`,
      items: {
        type: 'object',
        required: ['time', 'source', 'target', 'from', 'to'],
        properties: {
          time: time('When the run that saw the change started.'),
          ...cellNames,
          from: { type: 'string', enum: [...FLIP_STATES], description: 'The state before.' },
          to: { type: 'string', enum: [...FLIP_STATES], description: 'The state after.' },
        },
      },
    },
  },
};

/** What `kubectl get reachabilitytests` shows. */
export const PRINTER_COLUMNS: readonly Schema[] = [
  { name: 'Verdict', type: 'string', jsonPath: '.status.verdict', description: "The last run's verdict." },
  { name: 'Cells', type: 'integer', jsonPath: '.status.cells.total', description: 'Cells of the last run.' },
  { name: 'Off', type: 'integer', jsonPath: '.status.cells.off', description: 'Mismatched and undecided cells.' },
  { name: 'Last Run', type: 'date', jsonPath: '.status.lastRun.startTime', description: 'When the last run started.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];
