import { colord, extend } from 'colord';
import a11yPlugin from 'colord/plugins/a11y';
import namesPlugin from 'colord/plugins/names';
import { MIN_TEXT_CONTRAST, MIN_UI_CONTRAST, PORTAL_BACKGROUNDS, type ValidationIssue } from '@flotilla/protocol';

extend([a11yPlugin, namesPlugin]);

export type ColourRole = 'primaryColor' | 'accentColor';

/**
 * What each colour must be readable against: the primary colour is link text on both backgrounds and
 * the fill of buttons under white text (text contrast); the accent marks borders and rings (UI contrast).
 */
const RULES: Record<ColourRole, { against: Record<string, string>; min: number; use: string }> = {
  primaryColor: { against: { 'the page background': PORTAL_BACKGROUNDS.page, 'white (cards, button text)': PORTAL_BACKGROUNDS.surface }, min: MIN_TEXT_CONTRAST, use: 'links and buttons' },
  accentColor: { against: { 'white (cards)': PORTAL_BACKGROUNDS.surface }, min: MIN_UI_CONTRAST, use: 'borders and focus rings' },
};

export type ColourCheck = { ok: true; hex: string } | { ok: false; issue: ValidationIssue };

/**
 * Parses a CSS colour and checks it is readable where the portal uses it. Pure. Transparent colours
 * are refused: their contrast depends on what is behind them.
 */
export function checkColour(role: ColourRole, input: string): ColourCheck {
  const c = colord(input);
  if (!c.isValid()) return { ok: false, issue: { path: role, message: `"${input}" is not a colour (use #rrggbb, rgb(), hsl() or a CSS colour name)` } };
  if (c.alpha() < 1) return { ok: false, issue: { path: role, message: 'must be opaque (no transparency)' } };
  const hex = c.toHex();
  const rule = RULES[role];
  for (const [name, background] of Object.entries(rule.against)) {
    const ratio = c.contrast(background);
    if (ratio < rule.min) {
      return { ok: false, issue: { path: role, message: `${hex} is unreadable on ${name} (${background}): contrast ${ratio.toFixed(2)}:1, needs at least ${rule.min}:1 for ${rule.use}. Choose a darker colour.` } };
    }
  }
  return { ok: true, hex };
}
