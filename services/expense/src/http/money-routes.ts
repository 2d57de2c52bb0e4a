import {
  CatalogEntryIdParam,
  CatalogListQuery,
  CreateCatalogEntryRequest,
  CreateExchangeRateRequest,
  ExchangeRateListQuery,
  SetBaseCurrencyRequest,
  UpdateCatalogEntryRequest,
} from '@countersign/contracts';
import {
  type createServiceApp,
  parseOrThrow,
  readJsonBody,
  requireAuth,
  requirePermission,
  type TokenVerifier,
} from '@countersign/platform';
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
  verifyToken: TokenVerifier;
  now: () => Date;
}

/** The company's base currency, exchange rates, categories and vendors. */
export function mountMoneyRoutes(
  app: ReturnType<typeof createServiceApp>,
  deps: MoneyHttpDeps,
): void {
  for (const path of ['/company/currency', '/exchange-rates', '/categories', '/vendors']) {
    app.use(path, requireAuth(deps.verifyToken));
    app.use(`${path}/*`, requireAuth(deps.verifyToken));
  }

  app.get('/company/currency', requirePermission('rates.read'), async (c) =>
    c.json(await getCompanyCurrency(deps.db, c.var.caller)),
  );

  app.put('/company/currency', requirePermission('currency.manage'), async (c) => {
    const body = await readJsonBody(c, SetBaseCurrencyRequest);
    return c.json(await setBaseCurrency(deps.db, c.var.caller, body));
  });

  app.get('/exchange-rates', requirePermission('rates.read'), async (c) => {
    const query = parseOrThrow(ExchangeRateListQuery, c.req.query());
    return c.json(await listExchangeRates(deps.db, c.var.caller, query));
  });

  app.post('/exchange-rates', requirePermission('rates.manage'), async (c) => {
    const body = await readJsonBody(c, CreateExchangeRateRequest);
    return c.json(await createExchangeRate(deps, c.var.caller, body), 201);
  });

  for (const [path, kind] of [
    ['/categories', 'category'],
    ['/vendors', 'vendor'],
  ] as const satisfies [string, CatalogKind][]) {
    app.get(path, requirePermission('catalog.read'), async (c) => {
      const query = parseOrThrow(CatalogListQuery, c.req.query());
      return c.json(await listCatalogEntries(deps.db, c.var.caller, kind, query));
    });
    app.post(path, requirePermission('catalog.manage'), async (c) => {
      const body = await readJsonBody(c, CreateCatalogEntryRequest);
      return c.json(await createCatalogEntry(deps, c.var.caller, kind, body), 201);
    });
    app.patch(`${path}/:id`, requirePermission('catalog.manage'), async (c) => {
      const { id } = parseOrThrow(CatalogEntryIdParam, c.req.param());
      const body = await readJsonBody(c, UpdateCatalogEntryRequest);
      return c.json(await updateCatalogEntry(deps, c.var.caller, kind, id, body));
    });
  }
}
