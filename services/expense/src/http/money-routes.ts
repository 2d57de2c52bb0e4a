import { categoryRoutes, moneyRoutes, vendorRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { CatalogKind, ExpenseDatabase } from '../db/types.js';
import { createCatalogEntry } from '../use-cases/create-catalog-entry.js';
import { createExchangeRate } from '../use-cases/create-exchange-rate.js';
import { getCompanyCurrency } from '../use-cases/get-company-currency.js';
import { listCatalogEntries } from '../use-cases/list-catalog-entries.js';
import { listExchangeRates } from '../use-cases/list-exchange-rates.js';
import { setBaseCurrency } from '../use-cases/set-base-currency.js';
import { updateCatalogEntry } from '../use-cases/update-catalog-entry.js';

export interface MoneyHttpDeps {
  db: Kysely<ExpenseDatabase>;
  now: () => Date;
}

/** The company's base currency, exchange rates, categories and vendors. */
export function mountMoneyRoutes(serve: ServeRoute, deps: MoneyHttpDeps): void {
  serve(moneyRoutes.getCompanyCurrency, async (c) =>
    c.json(await getCompanyCurrency(deps.db, c.var.caller)),
  );

  serve(moneyRoutes.setCompanyCurrency, async (c, { body }) =>
    c.json(await setBaseCurrency(deps.db, c.var.caller, body)),
  );

  serve(moneyRoutes.listExchangeRates, async (c, { query }) =>
    c.json(await listExchangeRates(deps.db, c.var.caller, query)),
  );

  serve(moneyRoutes.createExchangeRate, async (c, { body }) =>
    c.json(await createExchangeRate(deps, c.var.caller, body), 201),
  );

  for (const [routes, kind] of [
    [categoryRoutes, 'category'],
    [vendorRoutes, 'vendor'],
  ] as const satisfies [typeof categoryRoutes, CatalogKind][]) {
    serve(routes.list, async (c, { query }) =>
      c.json(await listCatalogEntries(deps.db, c.var.caller, kind, query)),
    );
    serve(routes.create, async (c, { body }) =>
      c.json(await createCatalogEntry(deps, c.var.caller, kind, body), 201),
    );
    serve(routes.update, async (c, { params, body }) =>
      c.json(await updateCatalogEntry(deps, c.var.caller, kind, params.id, body)),
    );
  }
}
