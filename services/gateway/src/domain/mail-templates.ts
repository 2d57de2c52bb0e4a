import { composeMail as compose, type Mail } from '@countersign/platform';

export type { Mail };

export function verificationMail(to: string, name: string, code: string): Mail {
  return compose(to, `Your Countersign verification code: ${code}`, [
    `Hello ${name},`,
    `Your code to verify this e-mail address is ${code}. It expires in 10 minutes and works once.`,
    'If you did not sign up for Countersign, ignore this message.',
  ]);
}

export function passwordResetMail(to: string, name: string, code: string): Mail {
  return compose(to, `Your Countersign password reset code: ${code}`, [
    `Hello ${name},`,
    `Your code to choose a new password is ${code}. It expires in 10 minutes and works once.`,
    'If you did not ask to reset your password, ignore this message; your password is unchanged.',
  ]);
}

export function invitationMail(to: string, name: string, code: string): Mail {
  return compose(to, 'You are invited to Countersign', [
    `Hello ${name},`,
    `Your company invited you to Countersign. To join, register with this e-mail address and the invitation code ${code} (valid for 3 days), choosing your password: POST /api/auth/register {"email", "invitation_code", "password"}.`,
  ]);
}

export function accountExistsMail(to: string): Mail {
  return compose(to, 'Someone tried to register with your address', [
    'Someone tried to register a new Countersign company with this e-mail address, which already has an account.',
    'If it was you, sign in instead, or reset your password. Otherwise you can ignore this message.',
  ]);
}

export function addressChangedMail(oldAddress: string, newAddress: string): Mail {
  return compose(oldAddress, 'Your Countersign sign-in address was changed', [
    `Your company's admin changed the address you sign in to Countersign with to ${newAddress}. It must be verified with a code sent there, and your password, before it can sign in.`,
    'If this is not what you expected, tell your company admin.',
  ]);
}
