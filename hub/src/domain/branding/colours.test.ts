import { describe, expect, it } from 'vitest';
import { checkColour } from './colours.js';

describe('checkColour', () => {
  it('normalises readable colours to #rrggbb', () => {
    expect(checkColour('primaryColor', '#2457D6')).toEqual({ ok: true, hex: '#2457d6' });
    expect(checkColour('primaryColor', 'rgb(122, 20, 60)')).toEqual({ ok: true, hex: '#7a143c' });
    expect(checkColour('primaryColor', 'darkgreen')).toEqual({ ok: true, hex: '#006400' });
  });

  it('refuses a primary colour that white text or the page cannot be read against', () => {
    const yellow = checkColour('primaryColor', '#ffd400');
    expect(yellow.ok).toBe(false);
    if (!yellow.ok) {
      expect(yellow.issue.path).toBe('primaryColor');
      expect(yellow.issue.message).toMatch(/unreadable on .*contrast 1\.\d+:1, needs at least 4.5:1/);
    }
    // Passes on white (4.6:1) but not on the slightly darker page background.
    expect(checkColour('primaryColor', '#737373').ok).toBe(false);
    expect(checkColour('primaryColor', '#6b6b6b').ok).toBe(true);
  });

  it('holds the accent to the non-text threshold (3:1 on white)', () => {
    expect(checkColour('accentColor', '#d97706').ok).toBe(true); // 3.18:1
    expect(checkColour('accentColor', '#e07b00').ok).toBe(false); // 2.99:1
    expect(checkColour('accentColor', '#f5b700').ok).toBe(false);
  });

  it('says what is wrong with unparseable and transparent colours', () => {
    const bad = checkColour('accentColor', 'not-a-colour');
    expect(bad.ok ? '' : bad.issue.message).toMatch(/is not a colour/);
    const clear = checkColour('primaryColor', 'rgba(0,0,0,0.5)');
    expect(clear.ok ? '' : clear.issue.message).toMatch(/opaque/);
  });
});
