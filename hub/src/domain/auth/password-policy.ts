import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { AppError } from '../../errors.js';

/** zxcvbn's "safely unguessable" (about 10^10 guesses); 0–2 are common or patterned passwords. */
const MIN_SCORE = 3;

// Loading the dictionaries takes ~0.4 s: once, on the first password set.
let estimator: ZxcvbnFactory | undefined;
const strength = (password: string, userInputs: string[]): ZxcvbnResult =>
  (estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })).check(password, userInputs);

/** What a password must not be built from: the address, its local part, and the words of the names. */
function personalWords(who: { email: string; names: string[] }): string[] {
  const local = who.email.split('@')[0] ?? '';
  const words = [who.email, local, ...local.split(/[^\p{L}\p{N}]+/u), ...who.names, ...who.names.flatMap((n) => n.split(/\s+/))];
  return [...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w.length >= 3))];
}

/**
 * Why a password may not be used, in plain words, or undefined when it is fine. The length rule is
 * the schema's (protocol Password); this adds what a schema cannot see: the user's own email and
 * names, the common-password list, and patterns (sequences, keyboard rows, dates, repeats). Pure.
 */
export function passwordProblem(password: string, who: { email: string; names: string[] }): string | undefined {
  const result = strength(password, personalWords(who));
  if (result.score >= MIN_SCORE) return undefined;
  const dictionaries = new Set(result.sequence.map((m) => ('dictionaryName' in m ? String(m.dictionaryName) : '')));
  if (dictionaries.has('userInputs')) return 'must not contain your email address or your name';
  if ([...dictionaries].some((d) => d.startsWith('passwords'))) return 'too common: attackers try it first; a few unrelated words make a strong password';
  return 'too easy to guess (a sequence, keyboard row, date or repetition); a few unrelated words make a strong password';
}

/** Refuses a weak password with VALIDATION_FAILED on the `password` field (forms show it under the field). */
export function assertStrongPassword(password: string, who: { email: string; names: string[] }): void {
  const problem = passwordProblem(password, who);
  if (problem) throw new AppError('VALIDATION_FAILED', `Password ${problem}`, { issues: [{ path: 'password', message: problem }] });
}
