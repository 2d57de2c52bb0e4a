import type { ApiRoute, OwningService } from './api-route.js';
import { delegationRoutes } from './delegations.js';
import { expenseRoutes } from './expenses.js';
import { lifecycleRoutes } from './lifecycle.js';
import { categoryRoutes, moneyRoutes, vendorRoutes } from './money.js';
import { notificationRoutes } from './notifications.js';
import { orgRoutes } from './org.js';
import { policyRoutes } from './policies.js';
import { receiptRoutes } from './receipts.js';
import { reportRoutes } from './reports.js';
import { webhookRoutes } from './webhooks.js';
import { workspaceRoutes } from './workspaces.js';

/**
 * Every public route a service owns and the gateway forwards, in the order the gateway
 * registers and documents them.
 */
export const apiRoutes: readonly ApiRoute[] = [
  ...Object.values(expenseRoutes),
  ...Object.values(orgRoutes),
  ...Object.values(workspaceRoutes),
  ...Object.values(delegationRoutes),
  ...Object.values(policyRoutes),
  ...Object.values(moneyRoutes),
  ...Object.values(categoryRoutes),
  ...Object.values(vendorRoutes),
  ...Object.values(receiptRoutes),
  ...Object.values(reportRoutes),
  ...Object.values(lifecycleRoutes),
  ...Object.values(webhookRoutes),
  ...Object.values(notificationRoutes),
];

/** The routes one service must serve. */
export function routesOwnedBy(service: OwningService): ApiRoute[] {
  return apiRoutes.filter((route) => route.service === service);
}
