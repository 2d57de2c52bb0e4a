import type { ReceiptMediaType } from '@countersign/contracts';
import { ConflictError, DomainError, UnprocessableError } from '@countersign/platform';

/** What one company may put into receipts, and what OCR agrees to decode. */
export interface ReceiptLimits {
  /** Receipts one expense may hold. */
  maxPerExpense: number;
  /** Bytes all of a company's receipts together may hold. */
  maxCompanyBytes: number;
  /** Width × height an image may have to be stored and read (decoded size is ~4 B/pixel). */
  maxPixels: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * An image's pixel size from its header alone, without decoding a pixel, so an image that
 * would decode to gigabytes is refused before anything allocates for it. Undefined when
 * the header cannot be found (not a PNG or JPEG this can read).
 */
export function imageSizeOf(
  content: Uint8Array,
  mediaType: ReceiptMediaType,
): ImageSize | undefined {
  if (mediaType === 'image/png') return pngSize(content);
  if (mediaType === 'image/jpeg') return jpegSize(content);
  return undefined;
}

const uint16 = (bytes: Uint8Array, at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const uint32 = (bytes: Uint8Array, at: number) => uint16(bytes, at) * 65536 + uint16(bytes, at + 2);
const sized = (width: number, height: number) =>
  width > 0 && height > 0 ? { width, height } : undefined;

/** PNG: the signature, then the IHDR chunk first of all, width and height as uint32 (PNG 11.2.2). */
function pngSize(bytes: Uint8Array): ImageSize | undefined {
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.byteLength < 24 || ihdr !== 'IHDR') return undefined;
  return sized(uint32(bytes, 16), uint32(bytes, 20));
}

/** JPEG: the first start-of-frame segment (SOF0-SOF15 but DHT, JPG and DAC) holds the size. */
function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  let at = 2;
  while (at + 9 < bytes.byteLength) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    // Markers without a length: TEM, RST0-7; SOS or EOI before any frame is no image.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return sized(uint16(bytes, at + 7), uint16(bytes, at + 5));
    at += 2 + uint16(bytes, at + 2);
  }
  return undefined;
}

/** True when OCR may decode an image of this size. */
export function withinPixelCap(size: ImageSize, maxPixels: number): boolean {
  return size.width * size.height <= maxPixels;
}

/** Refuses an image OCR would not decode: one over the pixel cap or with no readable size. */
export function checkImageSize(size: ImageSize | undefined, maxPixels: number): void {
  if (!size) {
    throw new UnprocessableError(
      'the image has no size this service can read in its header; send an ordinary PNG or JPEG',
      'unreadable-receipt-image',
    );
  }
  if (!withinPixelCap(size, maxPixels)) {
    throw new UnprocessableError(
      `the image is ${size.width} × ${size.height} pixels; receipts are read up to ${maxPixels} pixels in all (scale it down)`,
      'receipt-image-too-large',
      { extensions: { width: size.width, height: size.height, max_pixels: maxPixels } },
    );
  }
}

/** Refuses one more receipt on an expense that holds `held` already. */
export function checkReceiptCount(held: number, maxPerExpense: number): void {
  if (held >= maxPerExpense) {
    throw new ConflictError(
      `an expense holds at most ${maxPerExpense} receipts and this one has ${held}`,
      'receipt-limit-reached',
    );
  }
}

/** Refuses a file that would take the company's receipts past their storage quota. */
export function checkCompanyStorage(
  storedBytes: number,
  fileBytes: number,
  maxBytes: number,
): void {
  if (storedBytes + fileBytes > maxBytes) {
    throw new DomainError(
      'too-large',
      'receipt-storage-quota',
      `your company's receipts may take up at most ${maxBytes} bytes; ${storedBytes} are used and this file has ${fileBytes}`,
      {
        title: 'Receipt storage quota reached',
        extensions: { max_bytes: maxBytes, stored_bytes: storedBytes, file_bytes: fileBytes },
      },
    );
  }
}
