import { UnprocessableError } from '@countersign/platform';

export interface LineMember {
  id: string;
  name: string;
  active: boolean;
}

/**
 * Checks that `managerId` may become the manager of `userId`. `lineAbove` is the proposed
 * manager followed by everyone above them, nearest first (empty when the manager is not a
 * person of the company). A user may not report to themselves, to someone inactive, or to
 * anyone who already reports (however indirectly) to them: that would close a cycle.
 */
export function assertManagerAllowed(
  userId: string,
  managerId: string,
  lineAbove: readonly LineMember[],
): void {
  if (managerId === userId) {
    throw new UnprocessableError('a user cannot be their own manager', 'invalid-manager');
  }
  const manager = lineAbove[0];
  if (manager?.id !== managerId) {
    throw new UnprocessableError(
      `manager_id ${managerId} is not a person of your company`,
      'invalid-manager',
    );
  }
  if (!manager.active) {
    throw new UnprocessableError(
      `${manager.name} is deactivated and cannot be anyone's manager`,
      'invalid-manager',
    );
  }
  const loop = lineAbove.findIndex((member) => member.id === userId);
  if (loop >= 0) {
    const path = lineAbove
      .slice(0, loop)
      .map((m) => m.name)
      .join(' → ');
    throw new UnprocessableError(
      `this would create a reporting cycle: ${path} already report${loop > 1 ? '' : 's'} to this user`,
      'reporting-cycle',
    );
  }
}
