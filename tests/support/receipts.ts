import sharp from 'sharp';
import { type ApiResponse, gatewayUrl } from './test-cluster.js';

/** Sends `content` as the multipart part `file` of an upload, through the gateway. */
export async function uploadFile(
  path: string,
  token: string,
  content: Uint8Array,
  fileName: string,
  declaredType = 'application/octet-stream',
): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(content)], { type: declaredType }), fileName);
  const response = await fetch(`${gatewayUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text.startsWith('{') ? (JSON.parse(text) as ApiResponse['body']) : { text },
  };
}

/**
 * A receipt photographed well: black text on white, rendered offline from SVG by sharp
 * (librsvg with the system's DejaVu fonts), so OCR has something real to read.
 */
export async function receiptImage(lines: readonly string[]): Promise<Buffer> {
  const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const text = lines
    .map(
      (line, i) =>
        `<text x="30" y="${70 + i * 60}" font-family="DejaVu Sans, sans-serif" font-size="36" fill="black">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="820" height="${lines.length * 60 + 60}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The smallest valid PNG there is: one transparent pixel. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
