import { EventCatalogue, Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { ExpenseDatabase } from '../db/types.js';
import { setUpCompanyMoney } from '../use-cases/set-up-company-money.js';

/** New companies, as the gateway registers them: their base currency and first category. */
export const gatewayEventsConsumer: ConsumerSpec<ExpenseDatabase> = {
  stream: Streams.gateway,
  durable: 'expense-on-gateway-events',
  filterSubject: EventCatalogue.CompanyRegistered.subject,
  handlers: { CompanyRegistered: setUpCompanyMoney },
};
