/**
 * RFC 4180 CSV: CRLF after every record, a field quoted when it holds a comma, a quote,
 * CR or LF (quotes inside doubled). A field a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR first) gets a leading apostrophe, as OWASP advises for exports
 * opened in spreadsheets: the text a person typed can never become a formula.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((record) => `${record.map(csvField).join(',')}\r\n`).join('');
}
