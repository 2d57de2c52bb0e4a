import type { ForwardedRoute } from './api-routes.js';

/** Workspaces and their summaries, owned by the expense service. */
export const workspaceRoutes: ForwardedRoute[] = [];
