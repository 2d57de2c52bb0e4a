import { ForbiddenError } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { refuseForeignDirectoryEvent } from './directory-tenancy.js';

const victim = '0197a000-0000-7000-8000-00000000c001';
const other = '0197a000-0000-7000-8000-00000000c002';
const admin = { kind: 'user' as const, id: '0197a000-0000-7000-8000-000000000101' };
const claim = { companyId: victim, userId: 'u1', invite: false, actor: admin };

describe('refuseForeignDirectoryEvent', () => {
  it('accepts an event about a new person or one of the same company', () => {
    expect(() =>
      refuseForeignDirectoryEvent(claim, { userCompanyId: undefined, actorCompanyId: undefined }),
    ).not.toThrow();
    expect(() =>
      refuseForeignDirectoryEvent(claim, { userCompanyId: victim, actorCompanyId: undefined }),
    ).not.toThrow();
  });

  it('refuses an event that would move a login to another company', () => {
    expect(() =>
      refuseForeignDirectoryEvent(claim, { userCompanyId: other, actorCompanyId: undefined }),
    ).toThrow(ForbiddenError);
  });

  it('mails an invitation only when a user of the same company asked for it', () => {
    const invite = { ...claim, invite: true };
    expect(() =>
      refuseForeignDirectoryEvent(invite, { userCompanyId: undefined, actorCompanyId: victim }),
    ).not.toThrow();
    expect(() =>
      refuseForeignDirectoryEvent(invite, { userCompanyId: undefined, actorCompanyId: other }),
    ).toThrow(ForbiddenError);
    expect(() =>
      refuseForeignDirectoryEvent(invite, { userCompanyId: undefined, actorCompanyId: undefined }),
    ).toThrow(ForbiddenError);
    expect(() =>
      refuseForeignDirectoryEvent(
        { ...invite, actor: { kind: 'system', id: 'approval' } },
        { userCompanyId: undefined, actorCompanyId: victim },
      ),
    ).toThrow(ForbiddenError);
  });
});
