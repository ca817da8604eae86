// The output formats every matrix-printing command accepts and the options of their renderers (kept apart from the
// renderers so flags load fast, and so a renderer and the dispatcher that picks it do not import each other).

export const OUTPUT_FORMATS = ['table', 'json', 'junit', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Rendering options; both apply to the table only, and colour only on a terminal. */
export interface RenderOptions {
  readonly color: boolean;
  /** List every cell below the matrix (ad-hoc probes), not only the ones needing attention. */
  readonly listAll?: boolean;
}
