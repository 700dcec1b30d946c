import { describe, expect, it } from 'vitest';
import { addedCorePercent, closestMailGap, corePercent, DeliveryTally, mailsPerUser, verifyWebhookSignature } from './event-figures.js';

describe('verifyWebhookSignature', () => {
  // The Standard Webhooks reference vector (svix's libraries test against it).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const ts = '1614265330';
  const body = '{"test": 2432232314}';
  const sig = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

  it('accepts the spec vector, alone or beside another signature (rotation)', () => {
    expect(verifyWebhookSignature(secret, id, ts, body, sig)).toBe(true);
    expect(verifyWebhookSignature(secret, id, ts, body, `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${sig}`)).toBe(true);
  });

  it('refuses a changed body, id, timestamp, version or secret', () => {
    expect(verifyWebhookSignature(secret, id, ts, '{"test": 2432232315}', sig)).toBe(false);
    expect(verifyWebhookSignature(secret, 'msg_other', ts, body, sig)).toBe(false);
    expect(verifyWebhookSignature(secret, id, '1614265331', body, sig)).toBe(false);
    expect(verifyWebhookSignature(secret, id, ts, body, sig.replace('v1,', 'v2,'))).toBe(false);
    expect(verifyWebhookSignature('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', id, ts, body, sig)).toBe(false);
    expect(verifyWebhookSignature(secret.slice('whsec_'.length), id, ts, body, sig)).toBe(false);
  });
});

describe('DeliveryTally', () => {
  it('counts messages once by id, apart from repeats and unsigned deliveries, by type and in a time window', () => {
    const t = new DeliveryTally();
    t.record({ id: 'a', type: 'installation.offline', signed: true, at: 100 });
    t.record({ id: 'b', type: 'installation.offline', signed: true, at: 200 });
    t.record({ id: 'a', type: 'installation.offline', signed: true, at: 300 });
    t.record({ id: 'c', type: 'alert.firing', signed: true, at: 400 });
    t.record({ id: 'd', type: 'alert.firing', signed: false, at: 500 });
    t.record({ id: undefined, type: 'alert.firing', signed: true, at: 600 });
    expect(t.received).toBe(3);
    expect(t.repeats).toBe(1);
    expect(t.badSignatures).toBe(2);
    expect(t.of('installation.offline')).toBe(2);
    expect(t.of('alert.firing')).toBe(1);
    expect(t.of('alert.resolved')).toBe(0);
    expect(t.receivedBetween(150, 400)).toBe(2);
    expect(t.lastAt).toBe(400);
    expect(new DeliveryTally().lastAt).toBeNaN();
  });

  it('finds the peak rate over a sliding window', () => {
    const t = new DeliveryTally();
    // 5 in the first second, then 20 within 1 s (t = 10 000 … 10 950), then 1 more much later.
    for (let i = 0; i < 5; i++) t.record({ id: `a${i}`, type: 'x', signed: true, at: i * 200 });
    for (let i = 0; i < 20; i++) t.record({ id: `b${i}`, type: 'x', signed: true, at: 10_000 + i * 50 });
    t.record({ id: 'c', type: 'x', signed: true, at: 60_000 });
    expect(t.peakRate(1000)).toBe(20);
    // Over 10 s the 20 still win: the first 5 and the 20 span 10 950 ms, more than one window.
    expect(t.peakRate(10_000)).toBe(2);
    expect(t.peakRate(11_000)).toBe(25 / 11);
    expect(new DeliveryTally().peakRate(1000)).toBe(0);
  });
});

describe('mailsPerUser', () => {
  it('counts mails per listed address, zero for those that got none, ignoring others', () => {
    const m = mailsPerUser([{ to: ['a@x'] }, { to: ['a@x', 'b@x'] }, { to: ['z@x'] }], ['a@x', 'b@x', 'c@x']);
    expect([...m]).toEqual([['a@x', 2], ['b@x', 1], ['c@x', 0]]);
  });
});

describe('closestMailGap', () => {
  it('is the shortest time between two mails to one address, across addresses; others ignored', () => {
    const mails = [
      { to: ['a@x'], at: 0 },
      { to: ['b@x'], at: 4000 },
      { to: ['a@x', 'b@x'], at: 10_000 },
      { to: ['a@x'], at: 30_000 },
      { to: ['z@x'], at: 30_500 },
      { to: ['z@x'], at: 30_600 },
    ];
    expect(closestMailGap(mails, ['a@x', 'b@x'])).toBe(6000);
    expect(closestMailGap(mails, ['a@x'])).toBe(10_000);
    expect(closestMailGap(mails.slice(0, 2), ['a@x', 'b@x'])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('core shares', () => {
  it('CPU seconds over wall seconds as a percentage of one core', () => {
    expect(corePercent(6, 60)).toBe(10);
    expect(corePercent(120, 60)).toBe(200);
    expect(corePercent(1, 0)).toBeNaN();
  });

  it('the added share compares windows of different lengths', () => {
    const r = addedCorePercent({ cpuSeconds: 3, wallSeconds: 60 }, { cpuSeconds: 9.3, wallSeconds: 62 });
    expect(r.without).toBeCloseTo(5, 9);
    expect(r.with).toBeCloseTo(15, 9);
    expect(r.added).toBeCloseTo(10, 9);
  });
});
