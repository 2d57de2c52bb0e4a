import {
  CatalogEntry,
  CatalogEntryIdParam,
  CatalogList,
  CatalogListQuery,
  CompanyCurrency,
  CreateCatalogEntryRequest,
  CreateExchangeRateRequest,
  ExchangeRate,
  ExchangeRateList,
  ExchangeRateListQuery,
  SetBaseCurrencyRequest,
  UpdateCatalogEntryRequest,
} from '../rest/money.js';
import { defineRoutes } from './api-route.js';

const tag = 'Money and catalog';

/** The catalog routes for one list: categories or vendors. */
function catalogRoutes(plural: 'categories' | 'vendors', one: string) {
  return defineRoutes({
    list: {
      method: 'get',
      path: `/api/${plural}`,
      service: 'expense',
      summary: `The company’s ${plural} by name (archived ones with include_archived=true)`,
      tag,
      permission: 'catalog.read',
      query: CatalogListQuery,
      success: { status: 200, schema: CatalogList, description: `The ${plural}` },
      refusals: [400, 401, 403],
    },
    create: {
      method: 'post',
      path: `/api/${plural}`,
      service: 'expense',
      summary: `Add a ${one}; names are unique per company whatever their case`,
      tag,
      permission: 'catalog.manage',
      body: CreateCatalogEntryRequest,
      success: { status: 201, schema: CatalogEntry, description: 'Created' },
      refusals: [400, 401, 403, 409],
    },
    update: {
      method: 'patch',
      path: `/api/${plural}/{id}`,
      service: 'expense',
      summary: `Rename, archive or restore a ${one}; expenses keep the name they were filed with`,
      tag,
      permission: 'catalog.manage',
      params: CatalogEntryIdParam,
      body: UpdateCatalogEntryRequest,
      success: { status: 200, schema: CatalogEntry, description: 'Changed' },
      refusals: [400, 401, 403, 404, 409],
    },
  });
}

/** Base currency, exchange rates, categories and vendors, owned by the expense service. */
export const moneyRoutes = defineRoutes({
  getCompanyCurrency: {
    method: 'get',
    path: '/api/company/currency',
    service: 'expense',
    summary: 'The company’s base currency, and whether it can still change',
    tag,
    permission: 'rates.read',
    success: { status: 200, schema: CompanyCurrency, description: 'The base currency' },
    refusals: [401, 403],
  },
  setCompanyCurrency: {
    method: 'put',
    path: '/api/company/currency',
    service: 'expense',
    summary: 'Choose the base currency (admins; only while the company has no expenses)',
    tag,
    permission: 'currency.manage',
    body: SetBaseCurrencyRequest,
    success: { status: 200, schema: CompanyCurrency, description: 'The base currency' },
    refusals: [400, 401, 403, 409],
  },
  listExchangeRates: {
    method: 'get',
    path: '/api/exchange-rates',
    service: 'expense',
    summary: 'The company’s dated exchange rates, newest first',
    tag,
    permission: 'rates.read',
    query: ExchangeRateListQuery,
    success: { status: 200, schema: ExchangeRateList, description: 'The rates' },
    refusals: [400, 401, 403],
  },
  createExchangeRate: {
    method: 'post',
    path: '/api/exchange-rates',
    service: 'expense',
    summary:
      'Add a rate to the base currency, in force from its date until the next one (finance, admin)',
    tag,
    permission: 'rates.manage',
    body: CreateExchangeRateRequest,
    success: { status: 201, schema: ExchangeRate, description: 'Created' },
    refusals: [400, 401, 403, 409, 422],
  },
});

export const categoryRoutes = catalogRoutes('categories', 'category');
export const vendorRoutes = catalogRoutes('vendors', 'vendor');
