import { createHash } from 'node:crypto';
import type { Webhook } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { webhookAuditView } from './webhook-audit-view.js';

const webhook: Webhook = {
  id: '0197a000-0000-7000-8000-000000000001',
  url: 'https://hooks.example.com/services/T000/B000/s3cr3t-token?key=also-secret',
  event_types: ['ExpenseSubmitted'],
  description: 'ERP',
  active: true,
  created_at: '2026-11-24T00:00:00.000Z',
  updated_at: '2026-11-24T00:00:00.000Z',
  previous_secret_expires_at: null,
};

describe('webhookAuditView', () => {
  it('keeps the origin and a digest of the URL, never its path or query', () => {
    const view = webhookAuditView(webhook);
    expect(view).toMatchObject({ url_origin: 'https://hooks.example.com', description: 'ERP' });
    expect(view.url_sha256).toBe(createHash('sha256').update(webhook.url).digest('hex'));
    expect(JSON.stringify(view)).not.toContain('s3cr3t-token');
    expect(JSON.stringify(view)).not.toContain('also-secret');
    expect(view).not.toHaveProperty('url');
  });
});
