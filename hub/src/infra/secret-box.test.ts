import { describe, expect, it } from 'vitest';
import { createSecretBox, newSecretsKey, SecretBoxError } from './secret-box.js';

describe('secret box', () => {
  const key = newSecretsKey();

  it('round-trips, with a fresh nonce each time and no plain text in the sealed value', () => {
    const box = createSecretBox(key);
    const a = box.seal('whsec_hunter2');
    const b = box.seal('whsec_hunter2');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(a.startsWith('enc:v1:')).toBe(true);
    expect(box.open(a)).toBe('whsec_hunter2');
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('reads values stored before encryption was turned on, and says they need sealing', () => {
    const box = createSecretBox(key);
    expect(box.open('whsec_legacy')).toBe('whsec_legacy');
    expect(box.needsSealing('whsec_legacy')).toBe(true);
    expect(box.needsSealing(box.seal('x'))).toBe(false);
  });

  it('refuses a value sealed with another key, a tampered one and a truncated one, with clear errors', () => {
    const sealed = createSecretBox(key).seal('s3cret');
    expect(() => createSecretBox(newSecretsKey()).open(sealed)).toThrow(/another SECRETS_KEY/);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    expect(() => createSecretBox(key).open(tampered)).toThrow(SecretBoxError);
    const [prefix, version, id] = sealed.split(':');
    expect(() => createSecretBox(key).open(`${prefix}:${version}:${id}:AAAA`)).toThrow(/truncated/);
  });

  it('without a key stores values as given and refuses encrypted ones', () => {
    const box = createSecretBox(undefined);
    expect(box.encrypting).toBe(false);
    expect(box.seal('plain')).toBe('plain');
    expect(box.needsSealing('plain')).toBe(false);
    expect(() => box.open(createSecretBox(key).seal('x'))).toThrow(/SECRETS_KEY is not set/);
  });
});
