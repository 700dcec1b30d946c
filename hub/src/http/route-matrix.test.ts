import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { roleMatrixMarkdown } from './route-matrix.js';

describe('role matrix in the README', () => {
  it('is exactly the matrix the hub enforces', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- role-matrix:start -->');
    const end = readme.indexOf('<!-- role-matrix:end -->');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + '<!-- role-matrix:start -->'.length, end).trim()).toBe(roleMatrixMarkdown());
  });
});
