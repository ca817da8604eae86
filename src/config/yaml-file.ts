// Reads YAML while keeping positions, so every later error can name the line it is about.

import { Composer, type CST, type Document, isMap, isSeq, Lexer, LineCounter, type Node, Parser } from 'yaml';
import { ConfigError } from './config-error.ts';
import { MAX_NESTING } from './nesting.ts';
import { plainTree } from './yaml-tree.ts';

/** One parsed YAML document with the means to find the line of any path in it. */
export interface PositionedDocument {
  readonly file: string;
  readonly value: unknown;
  /** Line (1-based) of the node at `path`; of its key when `key` is true; nearest existing parent otherwise. */
  lineOf(path: readonly (string | number)[], key?: boolean): number | undefined;
}

/** Parses every document of a YAML text; syntax errors become ConfigErrors with their line. */
export function parseYamlDocuments(file: string, text: string): PositionedDocument[] {
  return Array.from(yamlDocuments(file, text));
}

/**
 * The documents of a YAML text one at a time, as the composer finishes each: a file of thousands of
 * objects is never held as nodes all at once. A syntax error is thrown when its document is reached.
 */
function* yamlDocuments(file: string, text: string): Generator<PositionedDocument> {
  const lines = new LineCounter();
  // Duplicate keys are found by plainTree in linear time (the library's own check is quadratic);
  // logLevel 'error' keeps the library from printing Node warnings of its own. Plain scalars and
  // merge keys are read by go-yaml v2's YAML 1.1 rules in plainTree; the library's 1.1 schema only
  // resolves explicitly tagged scalars, and its own merging is off.
  const composer = new Composer({ uniqueKeys: false, logLevel: 'error', version: '1.1', merge: false });
  const docs = composer.compose(boundedTokens(file, text, lines));
  for (;;) {
    let next: IteratorResult<Document.Parsed>;
    try {
      next = docs.next();
    } catch (cause) {
      if (cause instanceof ConfigError) throw cause;
      // The library reports problems as document errors; should it throw, it is still this file's fault.
      throw new ConfigError(
        file,
        undefined,
        undefined,
        `invalid YAML: ${cause instanceof RangeError ? 'nested too deeply' : firstLine(String(cause))}`,
        { cause },
      );
    }
    if (next.done) return;
    const doc = next.value;
    const problem = doc.errors[0];
    if (problem) {
      const line = lines.linePos(problem.pos[0]).line;
      // The parser catches its own stack overflow on absurd nesting and reports it as a syntax error.
      const message = problem.message.includes('call stack') ? 'nested too deeply' : firstLine(problem.message);
      throw new ConfigError(file, line, undefined, `invalid YAML: ${message}`);
    }
    if (doc.contents !== null) yield positioned(file, doc, lines);
  }
}

/**
 * The syntax tokens of `text`, what parseAllDocuments composes, refused as soon as they nest past
 * MAX_NESTING: the parser's stack is its nesting, so a file of `[[[…` stops after 500 levels, in
 * bounded time and memory, instead of being built whole and then overflowing the composer's recursion.
 */
function* boundedTokens(file: string, text: string, lines: LineCounter): Generator<CST.Token> {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    // The stack holds the document and the scalar being read besides the collections; plainTree
    // checks the exact depth later, with the same message.
    if (parser.stack.length > MAX_NESTING + 2)
      throw new ConfigError(
        file,
        lines.linePos(parser.offset).line,
        undefined,
        `invalid YAML: nested more than ${MAX_NESTING} levels deep`,
      );
  }
  yield* parser.end();
}

/**
 * The documents of a YAML text handed one at a time to `use`, for files of many objects: while `use`
 * runs, a document's lines come from its nodes; after, the nodes are let go (a positioned node per
 * scalar is most of a manifest's memory, and lines are asked for later only to report an error), and
 * a line asked for then comes from parsing the text again, once.
 */
export function mapYamlDocuments<T>(file: string, text: string, use: (doc: PositionedDocument) => T[]): T[] {
  let again: PositionedDocument[] | undefined;
  const reparsed = (): PositionedDocument[] => {
    again ??= parseYamlDocuments(file, text);
    return again;
  };
  const results: T[] = [];
  let i = 0;
  for (const doc of yamlDocuments(file, text)) {
    const index = i++;
    let current: PositionedDocument | undefined = doc;
    const later: PositionedDocument = {
      file,
      value: doc.value,
      lineOf: (path, key) => (current ?? reparsed()[index])!.lineOf(path, key),
    };
    for (const result of use(later)) results.push(result);
    current = undefined;
  }
  return results;
}

/** Parses a file that must hold exactly one YAML document. */
export function parseSingleYaml(file: string, text: string): PositionedDocument {
  const docs = parseYamlDocuments(file, text);
  const [doc, extra] = docs;
  if (!doc) throw new ConfigError(file, 1, undefined, 'the file holds no YAML document');
  if (extra) throw new ConfigError(file, extra.lineOf([]), undefined, 'expected one YAML document, found several');
  return doc;
}

function positioned(file: string, doc: Document.Parsed, lines: LineCounter): PositionedDocument {
  const lineOfNode = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const tree = plainTree(file, doc.contents, lines);
  // Only the nodes are kept for later lines, not the Document (its schema and options, per document).
  const contents = doc.contents;
  return {
    file,
    value: tree.value,
    lineOf(path, key = false) {
      let node: unknown = contents;
      let line = lineOfNode(contents);
      for (const [index, step] of path.entries()) {
        const last = index === path.length - 1;
        if (isMap(node)) {
          // One lookup in the map's key index: loading stays linear however many keys a map has.
          const pair = tree.pairsOf(node)?.get(String(step));
          if (!pair) return line;
          if (last && key) return lineOfNode(pair.key as Node) ?? line;
          node = pair.value;
          line = lineOfNode(pair.value as Node) ?? lineOfNode(pair.key as Node) ?? line;
        } else if (isSeq(node) && typeof step === 'number') {
          node = node.items[step];
          line = lineOfNode(node as Node) ?? line;
        } else {
          return line;
        }
      }
      return line;
    },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
