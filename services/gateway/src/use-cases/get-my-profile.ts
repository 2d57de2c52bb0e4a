import { type MyProfile, UserProfile, WorkspacePage } from '@countersign/contracts';
import { callService, type ServiceResponse } from '@countersign/platform';

export interface ProfileSources {
  approval: string;
  expense: string;
}

export interface CallerContext {
  token: string;
  requestId: string;
}

/** At most this many workspaces are listed (pages of 100); nobody belongs to more in practice. */
const MAX_WORKSPACE_PAGES = 10;

/**
 * The caller's profile, composed from the two services that own its parts: the directory
 * (approval) for role, team, level and manager chain, and expense for workspaces. Each
 * service authorises the caller's own token. A refusal from either is passed on as it is.
 */
export async function getMyProfile(
  sources: ProfileSources,
  caller: CallerContext,
): Promise<{ profile: MyProfile } | { refusal: ServiceResponse }> {
  const ask = (service: 'approval' | 'expense', path: string) =>
    callService(sources[service], {
      method: 'GET',
      service,
      path,
      token: caller.token,
      requestId: caller.requestId,
    });
  const [directory, firstPage] = await Promise.all([
    ask('approval', '/users/me'),
    ask('expense', '/workspaces?limit=100'),
  ]);
  if (directory.status !== 200) return { refusal: directory };
  if (firstPage.status !== 200) return { refusal: firstPage };
  const workspaces = [];
  let page = WorkspacePage.parse(JSON.parse(firstPage.body));
  for (let pages = 1; ; pages++) {
    workspaces.push(...page.items);
    if (!page.next_cursor || pages >= MAX_WORKSPACE_PAGES) break;
    const next = await ask(
      'expense',
      `/workspaces?limit=100&cursor=${encodeURIComponent(page.next_cursor)}`,
    );
    if (next.status !== 200) return { refusal: next };
    page = WorkspacePage.parse(JSON.parse(next.body));
  }
  return {
    profile: {
      ...UserProfile.parse(JSON.parse(directory.body)),
      // The caller's own list: every item carries their role in it.
      workspaces: workspaces.flatMap((w) =>
        w.my_role ? [{ id: w.id, name: w.name, role: w.my_role }] : [],
      ),
    },
  };
}
