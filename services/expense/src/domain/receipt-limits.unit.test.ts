import { DomainError } from '@countersign/platform';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  checkCompanyStorage,
  checkImageSize,
  checkReceiptCount,
  imageSizeOf,
  withinPixelCap,
} from './receipt-limits.js';

const blank = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#ffffff' } });

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('an image’s size from its header', () => {
  it('reads PNG and JPEG (baseline and progressive) sizes without decoding', async () => {
    for (const [width, height] of [
      [1, 1],
      [820, 360],
      [3000, 17],
    ] as const) {
      const png = await blank(width, height).png().toBuffer();
      const jpeg = await blank(width, height).jpeg().toBuffer();
      const progressive = await blank(width, height).jpeg({ progressive: true }).toBuffer();
      const withExif = await blank(width, height)
        .jpeg()
        .withMetadata({ exif: { IFD0: { Copyright: 'x'.repeat(300) } } })
        .toBuffer();
      expect(imageSizeOf(png, 'image/png')).toEqual({ width, height });
      expect(imageSizeOf(jpeg, 'image/jpeg')).toEqual({ width, height });
      expect(imageSizeOf(progressive, 'image/jpeg')).toEqual({ width, height });
      expect(imageSizeOf(withExif, 'image/jpeg')).toEqual({ width, height });
    }
  });

  it('has no size for a truncated header or a PDF', () => {
    expect(imageSizeOf(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png')).toBeUndefined();
    expect(imageSizeOf(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg')).toBeUndefined();
    expect(imageSizeOf(Buffer.from('%PDF-1.7'), 'application/pdf')).toBeUndefined();
  });
});

describe('receipt limits', () => {
  it('cap pixels at width × height', () => {
    expect(withinPixelCap({ width: 8000, height: 5000 }, 40_000_000)).toBe(true);
    expect(withinPixelCap({ width: 8001, height: 5000 }, 40_000_000)).toBe(false);
    const tooLarge = refusal(() => checkImageSize({ width: 10_000, height: 10_000 }, 40_000_000));
    expect(tooLarge).toMatchObject({ code: 'unprocessable', type: 'receipt-image-too-large' });
    expect(tooLarge.message).toContain('10000 × 10000');
    expect(refusal(() => checkImageSize(undefined, 40_000_000)).type).toBe(
      'unreadable-receipt-image',
    );
  });

  it('count receipts per expense and bytes per company', () => {
    expect(() => checkReceiptCount(9, 10)).not.toThrow();
    expect(refusal(() => checkReceiptCount(10, 10))).toMatchObject({
      code: 'conflict',
      type: 'receipt-limit-reached',
    });
    expect(() => checkCompanyStorage(900, 100, 1000)).not.toThrow();
    const full = refusal(() => checkCompanyStorage(901, 100, 1000));
    expect(full).toMatchObject({ code: 'too-large', type: 'receipt-storage-quota' });
    expect(full.message).toContain('at most 1000 bytes; 901 are used');
  });
});
