import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../api/errors';
import { describeForm, fieldKey, formErrors, issuesOf, labelOf, noErrors, plainMessage } from './form-errors';

function invalid(issues: unknown[], message = 'Invalid request body: …'): FlotillaError {
  return new FlotillaError('VALIDATION_FAILED', message, 400, { issues }, 'POST /applications');
}

const SIGNUP = { name: 'Your name', email: 'Email', password: 'Password', vendorName: 'Company name' };

describe('plainMessage', () => {
  it.each([
    ['Invalid input: expected string, received undefined', 'required'],
    ['Too small: expected string to have >=1 characters', 'required'],
    ['Too small: expected string to have >=3 characters', 'at least 3 characters'],
    ['Too big: expected string to have <=200 characters', 'at most 200 characters'],
    ['Too small: expected array to have >=1 items', 'choose at least one'],
    ['Too big: expected array to have <=20 items', 'at most 20 items'],
    ['Too small: expected number to be >=1', 'at least 1'],
    ['Too small: expected number to be >0', 'more than 0'],
    ['Too big: expected number to be <=3600', 'at most 3600'],
    ['Invalid input: expected int, received number', 'a whole number'],
    ['Invalid email address', 'not a valid email address'],
    ['Invalid option: expected one of "compose"|"helm"', 'choose one of compose, helm'],
    ['Invalid string: must match pattern /^x$/', 'not in the expected format'],
    ['must be at least 10 characters', 'at least 10 characters'],
    ['letters, digits, ".", "_", "+", "-"', 'use only letters, digits, ".", "_", "+", "-"'],
    ['services.web.image: must be a string', 'services.web.image: must be a string'],
  ])('%s → %s', (zod, plain) => {
    expect(plainMessage(zod)).toBe(plain);
  });
});

describe('formErrors', () => {
  it('names each field by its label in the summary and keys messages by field', () => {
    const err = invalid([
      { path: 'password', message: 'must be at least 10 characters' },
      { path: 'email', message: 'Invalid email address' },
    ]);
    expect(formErrors(err, SIGNUP)).toEqual({
      summary: 'Password: at least 10 characters; Email: not a valid email address',
      fields: { password: 'at least 10 characters', email: 'not a valid email address' },
      lines: [],
    });
  });

  it('keeps the first problem of a field only', () => {
    const err = invalid([
      { path: 'version', message: 'Too small: expected string to have >=1 characters' },
      { path: 'version', message: 'letters, digits, ".", "_", "+", "-"' },
    ]);
    expect(formErrors(err, { version: 'Version' })).toMatchObject({ summary: 'Version: required', fields: { version: 'required' } });
  });

  it('falls to the longest labelled prefix of a path, else words from the path', () => {
    const labels = { 'compose.file': 'Compose file', helm: 'Chart' };
    expect(fieldKey('compose.file', labels)).toBe('compose.file');
    expect(fieldKey('helm.chartVersion', labels)).toBe('helm');
    expect(fieldKey('compose.env', labels)).toBe('compose.env');
    expect(fieldKey('(root)', labels)).toBe('');
    expect(labelOf('compose.env', labels)).toBe('Env');
    expect(labelOf('helm.chartVersion', {})).toBe('Chart version');
    expect(labelOf('stages.0', {})).toBe('Stages');
  });

  it('shows a whole-body problem without a label', () => {
    expect(formErrors(invalid([{ path: '(root)', message: 'nothing to update' }]))).toEqual({ summary: 'Nothing to update', fields: { '': 'nothing to update' }, lines: [] });
  });

  it('lists problems inside a document by line, for the editor', () => {
    const err = invalid([
      { path: 'compose.file', message: 'services.web: needs an image or a build', line: 3, column: 5 },
      { path: 'compose.file', message: 'ports must be a list', line: 7 },
    ]);
    expect(formErrors(err, { 'compose.file': 'Compose file' })).toEqual({
      summary: 'Compose file, line 3: services.web: needs an image or a build; Compose file, line 7: ports must be a list',
      fields: { 'compose.file': 'Line 3: services.web: needs an image or a build' },
      lines: [
        { field: 'compose.file', line: 3, column: 5, message: 'services.web: needs an image or a build' },
        { field: 'compose.file', line: 7, message: 'ports must be a list' },
      ],
    });
  });

  it('uses the message of any other error as it is', () => {
    expect(formErrors(new FlotillaError('CONFLICT', 'An application named "api" already exists', 409, undefined, 'POST /applications'), { name: 'Name' })).toEqual({
      summary: 'An application named "api" already exists',
      fields: {},
      lines: [],
    });
    expect(formErrors(new Error('boom')).summary).toBe('boom');
    expect(formErrors(invalid([], 'Invalid request body: x')).summary).toBe('Invalid request body: x');
  });

  it('ignores details that are not validation issues', () => {
    expect(issuesOf(new FlotillaError('CONFLICT', 'x', 409, { issues: 'nope' }, 'POST /applications'))).toEqual([]);
    expect(issuesOf(new Error('x'))).toEqual([]);
  });

  it('describes issues found before sending the same way', () => {
    expect(describeForm([{ path: 'name', message: 'Too small: expected string to have >=1 characters' }], { name: 'Name' }).summary).toBe('Name: required');
    expect(noErrors()).toEqual({ summary: '', fields: {}, lines: [] });
  });
});
