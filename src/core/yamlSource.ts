/**
 * A YAML text read with its line numbers kept, so a problem found later in the plain data can be
 * pointed at: "network.yaml:41".
 */
import jsyaml from 'js-yaml';
import { LineCounter, isCollection, isMap, isNode, isScalar, isSeq, parseDocument, type YAMLError } from 'yaml';

/** A path into the data: map keys and list indexes, as zod reports them. */
export type DataPath = readonly PropertyKey[];

export interface YamlSource {
  /** The plain data: maps as objects, lists as arrays, scalars as strings, numbers, booleans, null. */
  data: unknown;
  /**
   * The 1-based line of the value at `path`. A value that is a block map or list is placed at the
   * line of its key; a missing value at the line of its nearest existing parent.
   */
  lineOf(path: DataPath): number;
}

export interface YamlSyntaxProblem {
  line: number;
  message: string;
}

export type YamlReadResult = { ok: true; source: YamlSource } | { ok: false; problem: YamlSyntaxProblem };

/** An alias (`*name`) outside quotes may expand exponentially; such files take the guarded path. */
const ALIAS = /(^|[\s,[{:-])\*[^\s,\]}]+/m;

/**
 * Parses YAML 1.2 (so `NO` stays the text "NO" and 2027-02-10T09:00 stays text). On a syntax
 * error returns only the first one: later ones usually follow from it and would only confuse.
 *
 * Two parsers, for speed and memory: a valid file is read by js-yaml (core schema), which needs
 * a fraction of the time and memory of a full YAML document with source positions (a network
 * of 50,000 people: about 150 ms and 130 MB against 1.5 s and 400 MB, see bench/). Positions
 * are only needed to locate a problem, so the `yaml` document with its line counter is built
 * lazily, the first time `lineOf` is called, and for files js-yaml rejects or that use aliases
 * (the `yaml` library limits alias expansion).
 */
export function readYaml(text: string): YamlReadResult {
  if (ALIAS.test(text)) return readYamlWithPositions(text);
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    return readYamlWithPositions(text);
  }
  let located: YamlSource | undefined;
  const lineOf = (path: DataPath): number => {
    if (!located) {
      const read = readYamlWithPositions(text);
      located = read.ok ? read.source : { data, lineOf: () => read.problem.line };
    }
    return located.lineOf(path);
  };
  return { ok: true, source: { data, lineOf } };
}

/** The `yaml` library's document with a line counter: slower, but every node has a position. */
function readYamlWithPositions(text: string): YamlReadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => Math.min(lines.linePos(offset).line, lines.lineStarts.length);
  const [error] = doc.errors;
  if (error) return { ok: false, problem: { line: lineAt(error.pos[0]), message: syntaxMessage(error) } };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    return { ok: false, problem: { line: 1, message: cause instanceof Error ? cause.message : String(cause) } };
  }

  /** The line where a node starts, if it has a position. */
  const startLine = (node: unknown) => (isNode(node) && node.range ? lineAt(node.range[0]) : undefined);

  function lineOf(path: DataPath): number {
    let node: unknown = doc.contents;
    let line = startLine(node) ?? 1;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
        if (!pair) break;
        node = pair.value;
        const blockCollection = isCollection(node) && !node.flow;
        line = (blockCollection ? startLine(pair.key) : (startLine(node) ?? startLine(pair.key))) ?? line;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (node === undefined) break;
        line = startLine(node) ?? line;
      } else {
        break;
      }
    }
    return line;
  }

  return { ok: true, source: { data, lineOf } };
}

/** The YAML library's message, with advice an organiser can act on. */
function syntaxMessage(error: YAMLError): string {
  const quote = /Missing closing (["'])quote/.exec(error.message)?.[1];
  if (quote) return `a quoted value is not closed; add the closing ${quote}, or remove the opening one`;
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return 'this field appears twice in the same map; keep one of them';
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation; indent with spaces';
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a line with ---); keep one network per file';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
      return `${error.message}; check the indentation of this line and the one above, and put values that contain ": " or " #" in quotes`;
    default:
      return error.message;
  }
}
