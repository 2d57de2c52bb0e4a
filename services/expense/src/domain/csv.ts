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

/**
 * Reads what `toCsv` writes (strict RFC 4180, CRLF-terminated records): the check that
 * the export round-trips, used by the tests of the writer and of the export.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\r' || ch === '\n') throw new Error(`bare ${ch} at ${i}`);
      field += ch;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not terminated');
  return records;
}
