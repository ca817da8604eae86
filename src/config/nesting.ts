// How deep prober's inputs may nest, and the cheap check that keeps JSON.parse from building a deeper one.
//
// Kubernetes' YAML parser stops at 10,000 levels (go-yaml v2, scannerc.go: max_flow_level, max_indents),
// Go's encoding/json at 10,000 (scanner.go: maxNestingDepth). prober stops at 500: no manifest, test
// file or plan comes near it, and the check then costs nothing while the parsers below it recurse.

/** The most levels of maps and lists any input may nest (README: "Reading manifests"). */
export const MAX_NESTING = 500;

/**
 * Whether JSON text opens more than `limit` arrays or objects at once, found in one pass over the text
 * without building anything (strings and their escapes are skipped). V8's JSON.parse is not recursive
 * but holds every open level: 16 MB of `[` take 500 MB before it could answer.
 */
export function jsonNestsDeeper(text: string, limit: number = MAX_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, a quote too.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
