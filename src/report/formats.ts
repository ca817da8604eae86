// The output formats every matrix-printing command accepts (kept apart from the renderers so flags load fast).

export const OUTPUT_FORMATS = ['table', 'json', 'junit', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
