import { EventCatalogue, Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { ApprovalDatabase } from '../db/types.js';
import { setUpRegisteredCompany } from '../use-cases/set-up-registered-company.js';

/** New companies, as the gateway registers them. */
export const gatewayEventsConsumer: ConsumerSpec<ApprovalDatabase> = {
  stream: Streams.gateway,
  durable: 'approval-on-gateway-events',
  filterSubject: EventCatalogue.CompanyRegistered.subject,
  handlers: { CompanyRegistered: setUpRegisteredCompany },
};
