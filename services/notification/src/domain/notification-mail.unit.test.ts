import { describe, expect, it } from 'vitest';
import { digestMail, notificationMail } from './notification-mail.js';

const grace = { email: 'grace@example.com', name: 'Grace <Taylor>' };

describe('notification mail', () => {
  it('carries the message in text as typed and in HTML escaped', () => {
    const mail = notificationMail(
      grace,
      'expense_rejected',
      'Rejected: <script>alert(1)</script> & "more"',
    );
    expect(mail.to).toBe('grace@example.com');
    expect(mail.subject).toBe('Countersign: Your expense was rejected');
    expect(mail.text).toContain('Rejected: <script>alert(1)</script> & "more"');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;more&#34;');
    expect(mail.html).toContain('Hello Grace &#60;Taylor&#62;,');
  });

  it('lists each pending approval in the digest, escaped in HTML', () => {
    const mail = digestMail(grace, [
      {
        expenseId: 'e1',
        submitterName: 'Bob',
        description: 'Team <b>lunch</b>',
        amount: '42.00',
        waitingSince: '2026-12-01T09:00:00.000Z',
      },
      {
        expenseId: 'e2',
        submitterName: 'Eve',
        description: 'Taxi',
        amount: '18.50',
        waitingSince: '2026-12-02T09:00:00.000Z',
      },
    ]);
    expect(mail.subject).toBe('Countersign: 2 expenses waiting for your approval');
    expect(mail.text).toContain('• Bob: "Team <b>lunch</b>" (42.00), waiting since 2026-12-01');
    expect(mail.text).toContain('• Eve: "Taxi" (18.50), waiting since 2026-12-02');
    expect(mail.html).toContain('Team &#60;b&#62;lunch&#60;/b&#62;');
  });
});
