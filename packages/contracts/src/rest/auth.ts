import { z } from 'zod';

const Email = z.email().max(254);
/** Long enough to resist guessing, short enough to type (OWASP ASVS: at least 8; we ask 10). */
const NewPassword = z
  .string()
  .min(10, 'passwords need at least 10 characters')
  .max(200)
  .meta({ description: 'At least 10 characters' });
const OneTimeCode = z
  .string()
  .regex(/^\d{6}$/, 'the code is the 6 digits from the e-mail')
  .meta({ description: 'The 6-digit code from the e-mail', example: '123456' });

export const LoginRequest = z
  .object({
    email: Email,
    password: z.string().min(1).max(200),
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    refresh_token: z
      .string()
      .meta({ description: 'Single use: exchange it at /api/auth/refresh for a new pair' }),
    refresh_expires_in: z.number().int(),
  })
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const RegisterCompanyRequest = z
  .object({
    company_name: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200),
    email: Email,
    password: NewPassword,
  })
  .strict()
  .meta({ id: 'RegisterCompanyRequest', description: 'A new company and its first admin' });

export const AcceptInvitationRequest = z
  .object({
    email: Email,
    invitation_code: OneTimeCode,
    password: NewPassword,
  })
  .strict()
  .meta({ id: 'AcceptInvitationRequest', description: 'Join the company that invited you' });

export const RegisterRequest = z
  .union([RegisterCompanyRequest, AcceptInvitationRequest])
  .meta({ id: 'RegisterRequest' });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const RegisterResponse = z.object({ message: z.string() }).meta({ id: 'RegisterResponse' });
export type RegisterResponse = z.infer<typeof RegisterResponse>;

export const VerifyEmailRequest = z
  .object({
    email: Email,
    code: OneTimeCode,
    password: z.string().min(1).max(200).meta({ description: 'The password chosen at sign-up' }),
  })
  .strict()
  .meta({ id: 'VerifyEmailRequest' });
export type VerifyEmailRequest = z.infer<typeof VerifyEmailRequest>;

export const EmailOnlyRequest = z
  .object({ email: Email })
  .strict()
  .meta({ id: 'EmailOnlyRequest' });
export type EmailOnlyRequest = z.infer<typeof EmailOnlyRequest>;

export const RefreshRequest = z
  .object({ refresh_token: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'RefreshRequest' });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const ChangePasswordRequest = z
  .object({ current_password: z.string().min(1).max(200), new_password: NewPassword })
  .strict()
  .meta({ id: 'ChangePasswordRequest' });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

export const ResetPasswordRequest = z
  .object({ email: Email, code: OneTimeCode, new_password: NewPassword })
  .strict()
  .meta({ id: 'ResetPasswordRequest' });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

/** Answer to requests that must not reveal whether an address has an account. */
export const AcceptedResponse = z.object({ message: z.string() }).meta({ id: 'AcceptedResponse' });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;

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
