// The output formats every matrix-printing command accepts and the options of their renderers (kept apart from the
// renderers so flags load fast, and so a renderer and the dispatcher that picks it do not import each other).

export const OUTPUT_FORMATS = ['table', 'json', 'junit', 'markdown', 'svg', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Whether a format prints the detail (the observation's explanation) of every cell. The others print
 * it only for the cells they list (mismatches and errors), so a simulated matrix can leave the rest
 * unexplained (`prober simulate` reads those cells off the bitset matrix alone).
 */
export const PRINTS_EVERY_DETAIL: Readonly<Record<OutputFormat, boolean>> = {
  table: false,
  json: true,
  junit: false,
  markdown: false,
  svg: false,
  html: false,
};

/**
 * How `-o table` draws the matrix: `wide` a box per cell with every name in the head, `compact` one
 * character per cell under numbered columns with a legend, `auto` wide when it fits the terminal.
 */
export const TABLE_STYLES = ['auto', 'wide', 'compact'] as const;
export type TableStyle = (typeof TABLE_STYLES)[number];

/** Terminal width assumed when the output is not a terminal and COLUMNS says nothing. */
export const DEFAULT_WIDTH = 120;

/** Rendering options; all apply to the table only, and colour only on a terminal. */
export interface RenderOptions {
  readonly color: boolean;
  /** List every cell below the matrix (ad-hoc probes), not only the ones needing attention. */
  readonly listAll?: boolean;
  /** Wide, compact, or whichever fits `width` (the default). */
  readonly table?: TableStyle;
  /** Characters per line the reader's terminal shows (default DEFAULT_WIDTH). */
  readonly width?: number;
}
