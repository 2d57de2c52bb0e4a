import { createRequire } from 'node:module';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import type { OcrLine } from '../domain/parse-receipt-text.js';

/** What OCR read from one image: its lines with their confidences, and the page's. */
export interface OcrReading {
  text: string;
  confidence: number;
  lines: OcrLine[];
}

export interface ReceiptReader {
  read(image: Buffer): Promise<OcrReading>;
  stop(): Promise<void>;
}

/** The packaged English model: `langPath` points into node_modules, nothing is fetched. */
interface PackagedLanguage {
  code: string;
  gzip: boolean;
  langPath: string;
}
const english = createRequire(import.meta.url)('@tesseract.js-data/eng') as PackagedLanguage;

/**
 * Tesseract (LSTM, English) in one worker thread, started on first use and kept: fully
 * offline, from the traineddata shipped in @tesseract.js-data/eng and the wasm core in
 * node_modules. One worker because OCR is CPU-bound and the service shares its cores;
 * receipts queue in the database meanwhile.
 */
export function tesseractReader(): ReceiptReader {
  let worker: Promise<Worker> | undefined;
  const started = () => {
    worker ??= createWorker(english.code, OEM.LSTM_ONLY, {
      langPath: english.langPath,
      gzip: english.gzip,
      cacheMethod: 'none',
    });
    return worker;
  };
  return {
    async read(image) {
      const { data } = await (await started()).recognize(image, {}, { text: true, blocks: true });
      const lines = (data.blocks ?? []).flatMap((block) =>
        block.paragraphs.flatMap((paragraph) =>
          paragraph.lines.map((line) => ({ text: line.text, confidence: line.confidence })),
        ),
      );
      return { text: data.text, confidence: data.confidence, lines };
    },
    async stop() {
      if (worker) await (await worker).terminate();
      worker = undefined;
    },
  };
}
