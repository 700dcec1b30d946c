import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest (webhook signing secrets, install-link agent secrets, and whatever else must be
 * readable again, unlike passwords and tokens, which are hashed). AES-256-GCM with a key derived from
 * SECRETS_KEY; each sealed value says which key sealed it, so a changed key is a clear error, not garbage.
 *
 * Values stored before a key was configured carry no prefix and are read as they are, so turning
 * encryption on later needs no migration step (and `sealStored` upgrades them in place).
 */
export interface SecretBox {
  /** True when values are encrypted; false when no key is configured (values stored as given). */
  readonly encrypting: boolean;
  seal(plain: string): string;
  open(stored: string): string;
  /** True when the stored value is plain text a configured key should seal. */
  needsSealing(stored: string): boolean;
}

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** A raw SECRETS_KEY (any string of ≥ 32 characters, e.g. `openssl rand -base64 32`) → the AES key. */
function deriveKey(secretsKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, 'flotilla-secret-box', 'aes-256-gcm v1', 32));
}

export function createSecretBox(secretsKey: string | undefined): SecretBox {
  if (secretsKey === undefined) {
    return {
      encrypting: false,
      seal: (plain) => plain,
      open(stored) {
        if (stored.startsWith(PREFIX)) throw new SecretBoxError('A stored secret is encrypted but SECRETS_KEY is not set');
        return stored;
      },
      needsSealing: () => false,
    };
  }
  const key = deriveKey(secretsKey);
  // Identifies the key, not a secret: the first 8 hex digits of a hash of the derived key.
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return {
    encrypting: true,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${PREFIX}${keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [id, payload] = stored.slice(PREFIX.length).split(':');
      if (id !== keyId || payload === undefined) throw new SecretBoxError(`A stored secret was sealed with another SECRETS_KEY (key id ${id ?? '?'}, configured ${keyId})`);
      const raw = Buffer.from(payload, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('A stored secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('A stored secret failed its integrity check (tampered, or sealed with another key)');
      }
    },
    needsSealing: (stored) => !stored.startsWith(PREFIX),
  };
}

/** A new random SECRETS_KEY, as the embedded mode keeps one under DATA_DIR. */
export function newSecretsKey(): string {
  return randomBytes(32).toString('base64');
}
