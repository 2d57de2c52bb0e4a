import type { ForwardedRoute } from './api-routes.js';

/** Org management (users, teams, levels), owned by the approval service. */
export const orgRoutes: ForwardedRoute[] = [];
