import { CurrencyCode, type ReceiptExtraction } from '@countersign/contracts';

/** One line as OCR read it, with its confidence (0-100). */
export interface OcrLine {
  text: string;
  confidence: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Symbols that name one currency; `$` names several and is read as USD at half confidence. */
const currencySymbols: ReadonlyArray<{ symbol: string; code: string; certainty: number }> = [
  { symbol: '€', code: 'EUR', certainty: 1 },
  { symbol: '£', code: 'GBP', certainty: 1 },
  { symbol: '¥', code: 'JPY', certainty: 0.5 },
  { symbol: '$', code: 'USD', certainty: 0.5 },
];

// "TOTAL", "Grand total", "Amount due", "Balance due"; never "Subtotal".
const TOTAL_LABEL =
  /(?<![a-z])(grand\s*total|total\s*due|total|amount\s*due|balance\s*due)(?![a-z])/i;
const SUBTOTAL_LABEL = /sub\s*-?\s*total/i;
// 1,234.56 / 1234.56 / 1234,56 / 1 234.56 / 123
const AMOUNT = /(\d{1,3}(?:[,\s.]\d{3})+|\d+)(?:[.,](\d{2,3}))?(?!\d)/g;

/**
 * Reads what a receipt says from its OCR text: the total (the amount on the last line
 * labelled total, never a subtotal), the date, the vendor (the first line of words, where
 * receipts print the shop's name) and the currency (an ISO code, else a symbol). Each
 * field carries the confidence of the line it came from, lowered where the reading is a
 * guess. A field it cannot find is null: nothing is invented.
 */
export function parseReceiptText(lines: readonly OcrLine[]): ReceiptExtraction {
  const usable = lines
    .map((l) => ({ text: l.text.trim(), confidence: clampConfidence(l.confidence) }))
    .filter((l) => l.text.length > 0);
  return {
    total: findTotal(usable),
    date: findDate(usable),
    vendor: findVendor(usable),
    currency: findCurrency(usable),
  };
}

function findTotal(lines: readonly OcrLine[]): ReceiptExtraction['total'] {
  const labelled = lines.filter((l) => TOTAL_LABEL.test(l.text) && !SUBTOTAL_LABEL.test(l.text));
  for (const line of [...labelled].reverse()) {
    const afterLabel = line.text.slice(line.text.search(TOTAL_LABEL));
    const amounts = [...afterLabel.matchAll(AMOUNT)];
    const last = amounts.at(-1);
    if (!last) continue;
    const value = normaliseAmount(last[1] ?? '', last[2]);
    if (value !== null) return { value, confidence: line.confidence };
  }
  return null;
}

/** "1,234.56" → "1234.56"; thousands separators of either kind are dropped. */
function normaliseAmount(whole: string, fraction: string | undefined): string | null {
  const digits = whole.replace(/[,\s.]/g, '');
  if (!/^\d+$/.test(digits) || digits.length > 12) return null;
  const integer = digits.replace(/^0+(?=\d)/, '');
  return fraction === undefined ? integer : `${integer}.${fraction}`;
}

function findDate(lines: readonly OcrLine[]): ReceiptExtraction['date'] {
  for (const line of lines) {
    const value = dateIn(line.text);
    if (value) return { value, confidence: line.confidence };
  }
  return null;
}

/** An unambiguous calendar date in the text, as YYYY-MM-DD; 03/04/2026 is skipped. */
export function dateIn(text: string): string | null {
  const iso = /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/.exec(text);
  if (iso) return calendarDate(iso[1], iso[2], iso[3]);
  const numeric = /(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)/.exec(text);
  if (numeric) {
    const [first, second] = [Number(numeric[1]), Number(numeric[2])];
    // Day first or month first can only be told apart when one of them exceeds 12.
    if (first > 12 && second <= 12) return calendarDate(numeric[3], numeric[2], numeric[1]);
    if (second > 12 && first <= 12) return calendarDate(numeric[3], numeric[1], numeric[2]);
    if (first === second) return calendarDate(numeric[3], numeric[1], numeric[2]);
    return null;
  }
  const dayMonth = /(?<!\d)(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})(?!\d)/i.exec(text);
  if (dayMonth) return monthNamed(dayMonth[3], dayMonth[2], dayMonth[1]);
  const monthDay = /(?<![a-z])([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)/i.exec(text);
  if (monthDay) return monthNamed(monthDay[3], monthDay[1], monthDay[2]);
  return null;
}

function monthNamed(year = '', month = '', day = ''): string | null {
  const index = MONTHS.indexOf(month.toLowerCase());
  return index < 0 ? null : calendarDate(year, String(index + 1), day);
}

function calendarDate(year = '', month = '', day = ''): string | null {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real =
    date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  if (!real || y < 1900 || y > 2999) return null;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function findVendor(lines: readonly OcrLine[]): ReceiptExtraction['vendor'] {
  const first = lines.find((l) => {
    const letters = l.text.replace(/[^\p{L}]/gu, '');
    return (
      letters.length >= 3 &&
      letters.length >= l.text.replace(/\s/g, '').length / 2 &&
      !TOTAL_LABEL.test(l.text) &&
      dateIn(l.text) === null
    );
  });
  if (!first) return null;
  // Receipts print the shop's name first, but it is still a guess: lower confidence.
  return { value: first.text.replace(/\s+/g, ' '), confidence: scaled(first.confidence, 0.8) };
}

function findCurrency(lines: readonly OcrLine[]): ReceiptExtraction['currency'] {
  // The total's line first: a receipt may mention other currencies. Codes must be written
  // in capitals, so words such as "all" or "top" are never read as ALL or TOP.
  const totalLines = lines.filter((l) => TOTAL_LABEL.test(l.text) && !SUBTOTAL_LABEL.test(l.text));
  for (const line of [...totalLines.reverse(), ...lines]) {
    const code = [...line.text.matchAll(/(?<![A-Z])([A-Z]{3})(?![A-Z])/g)]
      .map((m) => m[1])
      .find((candidate) => CurrencyCode.safeParse(candidate).success);
    if (code) return { value: code, confidence: line.confidence };
    const symbol = currencySymbols.find((s) => line.text.includes(s.symbol));
    if (symbol)
      return { value: symbol.code, confidence: scaled(line.confidence, symbol.certainty) };
  }
  return null;
}

function clampConfidence(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.round(Math.min(100, Math.max(0, value)) * 10) / 10;
}

/** A confidence lowered by a factor, to one decimal (no binary-fraction noise in answers). */
function scaled(confidence: number, factor: number): number {
  return Math.round(confidence * factor * 10) / 10;
}
