import { describe, expect, it } from 'vitest';
import { invitationMail, verificationMail } from './mail-templates.js';

describe('mail templates', () => {
  it('carry the code in both parts and escape names in HTML', () => {
    const mail = verificationMail('a@b.example', '<script>Eve</script>', '123456');
    expect(mail.subject).toContain('123456');
    expect(mail.text).toContain('123456');
    expect(mail.html).toContain('123456');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>Eve</script>');
    expect(invitationMail('a@b.example', 'Ann', '654321').text).toContain('654321');
  });
});
