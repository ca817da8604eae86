// A fast path for manifests written as JSON (`kubectl get -o json`): JSON.parse, lines found by one scan.

import { MAX_NESTING } from './nesting.ts';
import { type PositionedDocument, parseYamlDocuments } from './yaml-file.ts';

/**
 * The document of a JSON text, read as the YAML path (yaml-file.ts) would read it, but with
 * JSON.parse: a `kubectl get -o json` dump of thousands of objects is one flow mapping to the YAML
 * library, which keeps a node with positions for every scalar (seconds and hundreds of MB). Undefined
 * when the text is not JSON, or is JSON the YAML path reads otherwise (a duplicate key, a `<<` merge
 * key, -0, a number too large for a double, nesting past MAX_NESTING): that path then reads it and
 * says what is wrong, with the line.
 *
 * The lines of the document and of a List's items (every object's `file:line`) come from one scan
 * of the text; a line deeper inside, asked for by an error or a warning, from the YAML path, once.
 */
export function parseJsonDocument(file: string, text: string): PositionedDocument | undefined {
  const start = firstNonBlank(text);
  if (text[start] !== '{' && text[start] !== '[') return undefined;
  // A lone carriage return ends a line to YAML and not to the line count below: such text goes the YAML way.
  if (LONE_CR.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const scan = scanJson(text, start);
  const walk = { members: 0, plain: true };
  walkValue(value, 0, walk);
  // A duplicate key is one member in the text and none in the parsed value: JSON.parse keeps the last.
  if (!walk.plain || walk.members !== scan.members) return undefined;
  let slow: PositionedDocument | undefined;
  const exact = (path: readonly (string | number)[], key: boolean): number | undefined => {
    slow ??= parseYamlDocuments(file, text)[0];
    return slow?.lineOf(path, key);
  };
  return {
    file,
    value,
    lineOf(path, key = false) {
      if (path.length === 0) return scan.documentLine;
      if (!key && path.length === 2 && path[0] === 'items' && typeof path[1] === 'number') {
        const line = scan.itemLines[path[1]];
        if (line !== undefined) return line;
      }
      return exact(path, key);
    },
  };
}

const LONE_CR = /\r(?!\n)/;

function firstNonBlank(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

/** What the YAML path would read differently, and the count of object members, gathered in one walk. */
function walkValue(value: unknown, depth: number, walk: { members: number; plain: boolean }): void {
  if (!walk.plain) return;
  if (typeof value === 'number') {
    // 1e400 is Infinity to JSON.parse and a string to go-yaml; -0 is 0 to go-yaml.
    if (!Number.isFinite(value) || Object.is(value, -0)) walk.plain = false;
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_NESTING) {
    walk.plain = false;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walkValue(item, depth + 1, walk);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '<<') walk.plain = false;
    walk.members++;
    walkValue((value as Record<string, unknown>)[key], depth + 1, walk);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * One pass over JSON text known to be valid: its members (a colon outside strings is one), the line
 * of the document, and the line of each item of the top-level object's `items` array.
 */
function scanJson(text: string, start: number): { members: number; documentLine: number; itemLines: number[] } {
  let line = 1;
  for (let i = 0; i < start; i++) if (text.charCodeAt(i) === NEWLINE) line++;
  const documentLine = line;
  const itemLines: number[] = [];
  let members = 0;
  let depth = 0;
  // The last string closed at depth 1 (a key of the top-level object) and where it ended.
  let lastKeyStart = -1;
  let lastKeyEnd = -1;
  let inItems = false;
  let wantItem = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const open = i;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
      if (depth === 1) {
        lastKeyStart = open + 1;
        lastKeyEnd = i;
      }
      if (wantItem) {
        itemLines.push(line);
        wantItem = false;
      }
      continue;
    }
    if (c === NEWLINE) {
      line++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    if (c === COLON) {
      members++;
      continue;
    }
    if (wantItem && c !== 0x5d) {
      itemLines.push(line);
      wantItem = false;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 2 && c === 0x5b && text.slice(lastKeyStart, lastKeyEnd) === 'items' && lastKeyEnd > 0) {
        inItems = true;
        wantItem = true;
      }
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 2) inItems = false;
      depth--;
    } else if (c === COMMA && depth === 2 && inItems) {
      wantItem = true;
    }
  }
  return { members, documentLine, itemLines };
}
