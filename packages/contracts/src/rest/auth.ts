import { z } from 'zod';

export const LoginRequest = z
  .object({
    email: z.email().max(254),
    password: z.string().min(1).max(200),
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the token expires' }),
  })
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** Roles decide what a person may do (see `permissions.ts`); levels decide who approves. */
export const Role = z.enum(['employee', 'manager', 'finance', 'admin', 'auditor']);
export type Role = z.infer<typeof Role>;

/** What every service reads from a verified access token. */
export const AccessClaims = z.object({
  sub: z.uuid(),
  company_id: z.uuid(),
  role: Role,
  name: z.string(),
  email: z.string(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;
