import { z } from 'zod';

export const Uuid = z
  .uuid()
  .meta({ description: 'A UUID', example: '0197a000-0000-7000-8000-000000000007' });

/**
 * Money crosses the wire as a JSON number (as seed 001's clients send it) or as a decimal
 * string; inside the system it is always a decimal string with two places, never a float.
 */
export const MoneyInput = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!/^\d{1,10}(\.\d{1,2})?$/.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: 'amount must be a positive number with at most two decimal places',
      });
      return z.NEVER;
    }
    const [whole = '0', fraction = ''] = text.split('.');
    const normalised = `${BigInt(whole)}.${fraction.padEnd(2, '0')}`;
    if (normalised === '0.00') {
      ctx.addIssue({ code: 'custom', message: 'amount must be greater than zero' });
      return z.NEVER;
    }
    return normalised;
  })
  .meta({
    description: 'Amount as a JSON number or decimal string, at most 2 decimals',
    example: 800,
  });

/** A decimal string with exactly two places, as stored and as carried in events. */
export const DecimalString = z.string().regex(/^\d+\.\d{2}$/);

export const IsoDateTime = z.iso.datetime({ offset: true });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Each invalid field and what is wrong with it' }),
    expense_id: Uuid.optional().meta({
      description: 'blocked-by-policy: the expense, stored as blocked so the attempt is on record',
    }),
    reason: z.string().optional().meta({ description: "blocked-by-policy: the rule's reason" }),
  })
  .meta({ id: 'ProblemDetails', description: 'RFC 9457 problem details' });
export type ProblemDetails = z.infer<typeof ProblemDetails>;
