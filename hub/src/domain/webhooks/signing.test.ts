import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signature, signedHeaders } from './signing.js';

describe('Standard Webhooks signing', () => {
  it('matches the reference vector of the Standard Webhooks libraries', () => {
    const body = '{"test": 2432232314}';
    expect(signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every secret given, space-separated (rotation overlap)', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const h = signedHeaders([a, b], 'msg_1', 1700000000, '{}');
    expect(h['webhook-signature'].split(' ')).toEqual([signature(a, 'msg_1', 1700000000, '{}'), signature(b, 'msg_1', 1700000000, '{}')]);
    expect(h).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' });
  });

  it('makes whsec_ secrets of 24 random bytes', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newWebhookSecret()).not.toBe(s);
  });
});
