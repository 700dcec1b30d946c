import { describe, expect, it } from 'vitest';
import { failureText } from './exec.js';

describe('failureText', () => {
  it('prefers stderr, falls back to stdout, then the exit code, and keeps the end of long output', () => {
    expect(failureText({ code: 1, stdout: 'out', stderr: ' err \n' })).toBe('err');
    expect(failureText({ code: 1, stdout: 'out', stderr: '' })).toBe('out');
    expect(failureText({ code: 3, stdout: '', stderr: '' })).toBe('exit code 3');
    expect(failureText({ code: 1, stdout: '', stderr: `${'x'.repeat(100)}END` }, 10)).toBe('…xxxxxxxEND');
  });
});
