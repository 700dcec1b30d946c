import { describe, expect, it } from 'vitest';
import { requiredFirst } from './required-updates';

describe('requiredFirst', () => {
  const updates = [
    { id: 'r5', version: '5.0.0', required: false },
    { id: 'r4', version: '4.0.0', required: true },
    { id: 'r3', version: '3.0.0', required: false },
    { id: 'r2', version: '2.0.0', required: true },
  ];
  it('lists the older required updates, oldest first', () => {
    expect(requiredFirst(updates, 'r5')).toEqual(['2.0.0', '4.0.0']);
    expect(requiredFirst(updates, 'r3')).toEqual(['2.0.0']);
  });
  it('nothing for the oldest required one itself, or an unknown release', () => {
    expect(requiredFirst(updates, 'r2')).toEqual([]);
    expect(requiredFirst(updates, 'nope')).toEqual([]);
  });
});
