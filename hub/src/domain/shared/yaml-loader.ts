import { LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

/** A problem inside a text document, at its 1-based line and column when known. */
export interface TextProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * The limits every YAML document the hub accepts must meet (compose files, helm values, values
 * overrides). Validation and deploys load YAML through the same `loadYaml`, so a document that was
 * accepted always loads again: an alias bomb is refused when it is stored, not when it is deployed.
 */
export const YAML_LIMITS = {
  /** Characters of source text (the protocol's largest YAML field). */
  maxChars: 1_000_000,
  /** The `yaml` library's measure of alias expansion (its default; an alias bomb needs far more). */
  maxAliasCount: 100,
  /** Nesting of mappings and sequences, aliases expanded (helm charts use a dozen levels). */
  maxDepth: 64,
  /** Nodes and characters of the loaded value, aliases expanded. */
  maxNodes: 200_000,
  maxLoadedChars: 4_000_000,
} as const;

export interface LoadedYaml {
  /** The parsed document, for positions and node-level checks. */
  doc: Document.Parsed;
  /** The plain value (merge keys applied, aliases expanded); undefined when there are problems. */
  value: unknown;
  /** Syntax errors and broken limits, each where it was found when known. Empty = the document loads. */
  errors: TextProblem[];
  /** Where a node starts; nothing for a node without a source range. */
  at(node: Node | null | undefined): Pick<TextProblem, 'line' | 'column'>;
}

/** Parses and loads YAML within YAML_LIMITS, keeping positions (the `yaml` library's LineCounter). */
export function loadYaml(text: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const source = text.length > YAML_LIMITS.maxChars ? '' : text;
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const position = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const at = (node: Node | null | undefined) => position(node?.range?.[0]);
  const result = (errors: TextProblem[], value?: unknown): LoadedYaml => ({ doc, value, errors, at });

  if (source !== text) return result([{ message: `longer than ${YAML_LIMITS.maxChars} characters` }]);
  if (doc.errors.length > 0) return result(doc.errors.map((e) => ({ message: `not valid YAML: ${e.message}`, ...position(e.pos[0]) })));
  const unresolved: TextProblem[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc)) unresolved.push({ message: `alias *${alias.source} refers to no anchor defined before it`, ...at(alias) });
    },
  });
  if (unresolved.length > 0) return result(unresolved);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (err) {
    const excessive = err instanceof ReferenceError && /alias count/i.test(err.message);
    return result([{ message: excessive ? 'too many aliases: the document expands like an alias bomb ("billion laughs")' : `cannot be loaded: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  const tooLarge = sizeProblem(value);
  return tooLarge ? result([{ message: tooLarge }]) : result([], value);
}

/**
 * Walks the loaded value without recursion: nesting, nodes and characters after alias expansion
 * (an alias may refer to its own ancestor, which makes the value cyclic: it shows as depth).
 */
function sizeProblem(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  let chars = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (depth > YAML_LIMITS.maxDepth) return `nested deeper than ${YAML_LIMITS.maxDepth} levels (or an alias refers to a node that contains it)`;
    if (++nodes > YAML_LIMITS.maxNodes) return `more than ${YAML_LIMITS.maxNodes} values once aliases are expanded`;
    if (typeof v === 'string') chars += v.length;
    else if (v instanceof Map || v instanceof Set || Array.isArray(v)) for (const child of v.values()) stack.push([child, depth + 1]);
    else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        chars += key.length;
        stack.push([child, depth + 1]);
      }
    }
    if (chars > YAML_LIMITS.maxLoadedChars) return `more than ${YAML_LIMITS.maxLoadedChars} characters once aliases are expanded`;
  }
  return undefined;
}
