import type { PolicyRule } from '@countersign/contracts';
import { UnprocessableError, ValidationError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findKnownReferences } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { collectReferences, findRuleProblems } from '../domain/policy-references.js';

/**
 * Refuses rules that cannot be right: an inverted amount range (400), or a level, user or
 * team the caller's company does not have (422), each named by its path in the body.
 * Another company's ids read as unknown.
 */
export async function assertPolicyRules(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  rules: readonly PolicyRule[],
): Promise<void> {
  const problems = findRuleProblems(rules);
  if (problems.length > 0) throw new ValidationError(problems);
  const refs = collectReferences(rules);
  const known = await findKnownReferences(db, companyId, {
    levels: refs.levels.map((r) => r.level),
    users: refs.users.map((r) => r.id),
    teams: refs.teams.map((r) => r.id),
  });
  const unknown = [
    ...refs.levels
      .filter((r) => !known.levels.has(r.level))
      .map((r) => ({ path: r.path, message: `level ${r.level} is not a level of your company` })),
    ...refs.users
      .filter((r) => !known.users.has(r.id))
      .map((r) => ({
        path: r.path,
        message: `user ${r.id} is not an active user of your company`,
      })),
    ...refs.teams
      .filter((r) => !known.teams.has(r.id))
      .map((r) => ({ path: r.path, message: `team ${r.id} is not a team of your company` })),
  ];
  if (unknown.length > 0) {
    throw new UnprocessableError(
      unknown.map((u) => `${u.path}: ${u.message}`).join('; '),
      'unknown-reference',
      { fieldErrors: unknown },
    );
  }
}
