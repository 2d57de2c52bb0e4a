import type { Generated } from 'kysely';

/** A message ready for SMTP: a plain-text part and an HTML part with the same words. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The queue a service's mail relay drains, in that service's schema. */
export interface MailOutboxTable {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: Generated<number>;
  last_error: string | null;
  lease_until: Date | null;
  created_at: Generated<Date>;
}

export interface MailOutboxTables {
  mail_outbox: MailOutboxTable;
}

/** User content goes into HTML mail through this, never raw. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A message of plain paragraphs: the text part joins them, the HTML part escapes each into
 * a `<p>`, so whatever a user typed (a description, a reason) is shown, never run.
 */
export function composeMail(to: string, subject: string, paragraphs: string[]): Mail {
  return {
    to,
    subject,
    text: `${paragraphs.join('\n\n')}\n\n-- Countersign\n`,
    html: `<!doctype html><html><body>${paragraphs
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('')}<p>— Countersign</p></body></html>`,
  };
}
