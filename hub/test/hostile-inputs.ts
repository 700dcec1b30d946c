/** Inputs that broke the hub once: shared by the unit tests of the limits and the fuzz suite. */

/** The classic "billion laughs": each level multiplies by nine; four levels are 6 561 strings. */
export function aliasBomb(levels = 6, under = 'x-lol'): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `${under}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
