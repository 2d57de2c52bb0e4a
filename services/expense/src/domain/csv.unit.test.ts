import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, toCsv } from './csv.js';

describe('CSV fields', () => {
  it('are quoted only when they must be, quotes doubled', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(toCsv(['a', 'b'], [['1', 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('never start a spreadsheet formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('12.50')).toBe('12.50');
  });

  it('read back to the same text, whatever it holds', () => {
    const safeText = fc.string({ unit: 'binary' }).filter((s) => !/^[=+\-@\t\r]/.test(s));
    fc.assert(
      fc.property(
        fc.array(fc.array(safeText, { minLength: 1, maxLength: 5 }), { maxLength: 6 }),
        (rows) => {
          const width = rows[0]?.length ?? 1;
          const header = Array.from({ length: width }, (_, i) => `c${i}`);
          const even = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          expect(parseCsv(toCsv(header, even))).toEqual([header, ...even]);
        },
      ),
    );
  });
});
