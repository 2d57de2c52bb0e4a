import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectReceiptMediaType, extensionOf } from './receipt-media-type.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe('detectReceiptMediaType', () => {
  it('knows PNG, JPEG and PDF by their first bytes', () => {
    expect(detectReceiptMediaType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe(
      'image/png',
    );
    expect(detectReceiptMediaType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe('image/jpeg');
    expect(detectReceiptMediaType(text('%PDF-1.7\n%âãÏÓ'))).toBe('application/pdf');
  });

  it('refuses text, HTML and SVG however they are named', () => {
    expect(detectReceiptMediaType(text('PNG receipt, honest'))).toBeNull();
    expect(detectReceiptMediaType(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectReceiptMediaType(text('<html><script>alert(1)</script>'))).toBeNull();
  });

  it('refuses a truncated signature and an empty file', () => {
    expect(detectReceiptMediaType(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull();
    expect(detectReceiptMediaType(bytes(0xff, 0xd8))).toBeNull();
    expect(detectReceiptMediaType(text('%PDF'))).toBeNull();
    expect(detectReceiptMediaType(bytes())).toBeNull();
  });

  it('answers only for content starting with a known signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (content) => {
        const type = detectReceiptMediaType(content);
        if (type === null) return;
        const start = [...content.slice(0, 3)];
        const known = [
          [0x89, 0x50, 0x4e],
          [0xff, 0xd8, 0xff],
          [0x25, 0x50, 0x44],
        ];
        expect(known).toContainEqual(start);
      }),
    );
  });

  it('names downloads by the detected type', () => {
    expect(extensionOf('image/png')).toBe('png');
    expect(extensionOf('image/jpeg')).toBe('jpg');
    expect(extensionOf('application/pdf')).toBe('pdf');
  });
});
