import type { ReceiptMediaType } from '@countersign/contracts';

/** The signatures of the accepted kinds, as their formats define their first bytes. */
const signatures: ReadonlyArray<{ type: ReceiptMediaType; bytes: readonly number[] }> = [
  // PNG: \x89 P N G \r \n \x1a \n (PNG spec, 5.2)
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // JPEG: SOI marker followed by the start of the next marker (FF D8 FF)
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  // PDF: "%PDF-" (ISO 32000-1, 7.5.2)
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

/**
 * What a receipt file is, told by its first bytes alone: the file name and the declared
 * content type are the client's word and are never trusted. Null for anything else.
 */
export function detectReceiptMediaType(content: Uint8Array): ReceiptMediaType | null {
  const match = signatures.find(({ bytes }) => bytes.every((byte, i) => content[i] === byte));
  return match?.type ?? null;
}

/** The file extension a download is named with, from the detected type. */
export function extensionOf(type: ReceiptMediaType): string {
  return { 'image/png': 'png', 'image/jpeg': 'jpg', 'application/pdf': 'pdf' }[type];
}
