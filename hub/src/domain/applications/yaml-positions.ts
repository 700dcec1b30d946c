import { LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A problem inside a text document, at its 1-based line and column when known. */
export interface TextProblem {
  message: string;
  line?: number;
  column?: number;
}

export interface ParsedYaml {
  doc: Document.Parsed;
  /** Syntax errors (duplicate keys included), each where the parser found it. */
  errors: TextProblem[];
  /** Where a node starts; nothing for a node without a source range. */
  at(node: Node | null | undefined): Pick<TextProblem, 'line' | 'column'>;
}

/** Parses YAML keeping positions: the `yaml` library's LineCounter turns offsets into lines and columns. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    doc,
    errors: doc.errors.map((e) => ({ message: `not valid YAML: ${e.message}`, ...position(e.pos[0]) })),
    at: (node) => position(node?.range?.[0]),
  };
}
