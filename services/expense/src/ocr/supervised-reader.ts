import type { OcrReading, ReceiptReader } from './tesseract-reader.js';

/** A read that outlived its timeout; the reader that ran it has been terminated. */
export class OcrTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`OCR took longer than ${timeoutMs} ms`);
    this.name = 'OcrTimeoutError';
  }
}

/**
 * Runs each read on a reader started by `start`, with a deadline: a read that takes longer
 * than `timeoutMs` fails with OcrTimeoutError. After any failed read, a timeout or an error
 * (its worker thread may be stuck, dead or half-broken: tesseract.js does not report a
 * thread that died, its read just never answers), that reader is terminated and the next
 * read starts a fresh one. So one bad image costs one job, never the worker for the rest.
 */
export function supervisedReader(start: () => ReceiptReader, timeoutMs: number): ReceiptReader {
  let current: ReceiptReader | undefined;
  const replace = async (reader: ReceiptReader) => {
    if (current === reader) current = undefined;
    await reader.stop().catch(() => undefined);
  };
  return {
    async read(image: Buffer): Promise<OcrReading> {
      current ??= start();
      const reader = current;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new OcrTimeoutError(timeoutMs)), timeoutMs);
      });
      try {
        return await Promise.race([reader.read(image), deadline]);
      } catch (error) {
        await replace(reader);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      if (current) await replace(current);
    },
  };
}
