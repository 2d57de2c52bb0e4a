import { describe, expect, it } from 'vitest';
import { composeMail, escapeHtml } from './mail.js';
import { retryDelayMs } from './mail-relay.js';

describe('composeMail', () => {
  it('keeps the words in text and escapes them in HTML', () => {
    const mail = composeMail('a@example.com', 'Hi', [
      '<img src=x onerror=alert(1)>',
      "Tom & Jerry's",
    ]);
    expect(mail.text).toBe("<img src=x onerror=alert(1)>\n\nTom & Jerry's\n\n-- Countersign\n");
    expect(mail.html).toContain('<p>&#60;img src=x onerror=alert(1)&#62;</p>');
    expect(mail.html).toContain('<p>Tom &#38; Jerry&#39;s</p>');
    expect(mail.html).not.toContain('<img');
  });

  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&#60;&#62;&#38;&#34;&#39;');
  });
});

describe('mail retry delays', () => {
  it('double from one second and stop at five minutes', () => {
    expect([0, 1, 2, 3].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(8)).toBe(256_000);
    expect(retryDelayMs(9)).toBe(300_000);
    expect(retryDelayMs(30)).toBe(300_000);
  });
});
