import { CliError, EXIT } from './cli-error.js';

export interface Candidate<T> {
  item: T;
  id: string;
  /** The names it answers to, most specific last (e.g. `main` and `Acme/main`). */
  names: string[];
  /** How it is shown in an error. */
  label: string;
}

const MAX_LISTED = 10;

/**
 * Picks the one item a name on the command line means: its id, else an exact name, else a name
 * differing only in case. Pure. None → the names known; several → each with its id, so that the
 * user can name it more precisely.
 */
export function pickOne<T>(kind: string, ref: string, candidates: readonly Candidate<T>[], hint = ''): T {
  const byId = candidates.find((c) => c.id === ref);
  if (byId) return byId.item;
  const exact = candidates.filter((c) => c.names.includes(ref));
  const matches = exact.length > 0 ? exact : candidates.filter((c) => c.names.some((n) => n.toLowerCase() === ref.toLowerCase()));
  if (matches.length === 1 && matches[0]) return matches[0].item;
  if (matches.length === 0) {
    const known = candidates.slice(0, MAX_LISTED).map((c) => c.label);
    const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : '';
    const list = known.length > 0 ? `; known: ${known.join(', ')}${more}` : `; there is none yet`;
    throw new CliError(`No ${kind} "${ref}"${list}`, EXIT.failed);
  }
  const listed = matches.slice(0, MAX_LISTED).map((c) => `${c.label} (${c.id})`).join(', ');
  throw new CliError(`"${ref}" is ambiguous: ${matches.length} ${kind}s match (${listed})${hint ? `; ${hint}` : '; give the id'}`, EXIT.failed);
}
