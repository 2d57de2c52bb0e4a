import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookSignature } from './signature.js';

const secret = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
const newSecret = `whsec_${Buffer.from('the next secret, also 32 bytes..').toString('base64')}`;
const id = '0197a000-0000-7000-8000-0000000000e1';
const body = JSON.stringify({ id, type: 'ExpenseSubmitted', data: { amount: '12.00' } });
const sentAt = new Date('2026-11-24T10:00:00Z');
const seconds = sentAt.getTime() / 1000;

describe('verifyWebhook', () => {
  it('accepts a delivery signed with the secret', () => {
    const headers = signWebhook([secret], id, seconds, body);
    expect(verifyWebhook({ secrets: [secret], headers, body, now: sentAt })).toEqual({
      ok: true,
      id,
      timestamp: seconds,
    });
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the Standard Webhooks specification's test suite.
    const reference = webhookSignature(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(reference).toBe('g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('refuses a tampered body, a wrong secret and a tampered id', () => {
    const headers = signWebhook([secret], id, seconds, body);
    const tampered = body.replace('12.00', '99.00');
    expect(verifyWebhook({ secrets: [secret], headers, body: tampered, now: sentAt })).toEqual({
      ok: false,
      reason: 'no-matching-signature',
    });
    expect(verifyWebhook({ secrets: [newSecret], headers, body, now: sentAt }).ok).toBe(false);
    const otherId = { ...headers, 'webhook-id': `${id.slice(0, -1)}2` };
    expect(verifyWebhook({ secrets: [secret], headers: otherId, body, now: sentAt }).ok).toBe(
      false,
    );
  });

  it('refuses a replay outside the tolerance, in either direction, and accepts at its edge', () => {
    const headers = signWebhook([secret], id, seconds, body);
    const at = (offsetSeconds: number) => new Date(sentAt.getTime() + offsetSeconds * 1000);
    expect(verifyWebhook({ secrets: [secret], headers, body, now: at(300) }).ok).toBe(true);
    expect(verifyWebhook({ secrets: [secret], headers, body, now: at(301) })).toEqual({
      ok: false,
      reason: 'timestamp-out-of-tolerance',
    });
    expect(verifyWebhook({ secrets: [secret], headers, body, now: at(-301) }).ok).toBe(false);
    expect(
      verifyWebhook({ secrets: [secret], headers, body, now: at(3600), toleranceSeconds: 7200 }).ok,
    ).toBe(true);
  });

  it('during a rotation the header carries both signatures and either secret verifies', () => {
    const headers = signWebhook([newSecret, secret], id, seconds, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook({ secrets: [secret], headers, body, now: sentAt }).ok).toBe(true);
    expect(verifyWebhook({ secrets: [newSecret], headers, body, now: sentAt }).ok).toBe(true);
    const stranger = `whsec_${Buffer.from('nobody knows this one at all....').toString('base64')}`;
    expect(verifyWebhook({ secrets: [stranger], headers, body, now: sentAt }).ok).toBe(false);
  });

  it('refuses missing headers and ignores signature versions it does not know', () => {
    expect(verifyWebhook({ secrets: [secret], headers: {}, body, now: sentAt })).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    const signed = signWebhook([secret], id, seconds, body);
    const v2Only = {
      ...signed,
      'webhook-signature': signed['webhook-signature'].replace('v1,', 'v2,'),
    };
    expect(verifyWebhook({ secrets: [secret], headers: v2Only, body, now: sentAt }).ok).toBe(false);
    const fetchHeaders = new Headers(signed);
    expect(verifyWebhook({ secrets: [secret], headers: fetchHeaders, body, now: sentAt }).ok).toBe(
      true,
    );
  });
});
