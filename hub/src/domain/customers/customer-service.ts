import type { CreateCustomerBody, Customer, UpdateCustomerBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Database } from '../../infra/index.js';
import { conflictOnDuplicate, isForeignKeyViolation, isUuid } from '../shared/db-errors.js';
import { paginate, type Page, type PageRequest } from '../shared/pagination.js';
import type { Scope } from '../access/roles.js';

interface CustomerRow {
  id: string;
  vendor_id: string;
  name: string;
  max_installations: number | null;
  allowed_environments: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const toCustomer = (r: CustomerRow): Customer => ({
  id: r.id,
  vendorId: r.vendor_id,
  name: r.name,
  maxInstallations: r.max_installations,
  allowedEnvironments: r.allowed_environments,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export class CustomerRepository {
  constructor(private readonly db: Database) {}

  list(vendorId: string, page: PageRequest): Promise<Page<Customer>> {
    return paginate(this.db('customers').where({ vendor_id: vendorId }).select('*'), page, toCustomer, 'customers');
  }

  async get(vendorId: string, id: string): Promise<Customer | undefined> {
    const row = await this.db<CustomerRow>('customers').where({ vendor_id: vendorId, id }).first();
    return row && toCustomer(row);
  }

  async create(vendorId: string, body: CreateCustomerBody): Promise<Customer> {
    const [row] = await this.db('customers').insert({ vendor_id: vendorId, name: body.name, ...limitColumns(body) }).returning('*');
    return toCustomer(row as CustomerRow);
  }

  async update(vendorId: string, id: string, body: UpdateCustomerBody): Promise<Customer | undefined> {
    const [row] = await this.db('customers')
      .where({ vendor_id: vendorId, id })
      .update({ ...(body.name === undefined ? {} : { name: body.name }), ...limitColumns(body), updated_at: this.db.fn.now() })
      .returning('*');
    return row && toCustomer(row as CustomerRow);
  }

  /** The installations the customer has now (its self-service limit counts them). */
  async installationCount(vendorId: string, id: string): Promise<number> {
    const [row] = await this.db('installations').where({ vendor_id: vendorId, customer_id: id }).count<{ count: string }[]>('id as count');
    return Number(row?.count ?? 0);
  }

  async delete(vendorId: string, id: string): Promise<boolean> {
    return (await this.db('customers').where({ vendor_id: vendorId, id }).delete()) > 0;
  }
}

/** The limit columns a body sets (undefined: unchanged, null: no limit); environments stored once each. */
function limitColumns(body: Pick<UpdateCustomerBody, 'maxInstallations' | 'allowedEnvironments'>): Record<string, unknown> {
  return {
    ...(body.maxInstallations === undefined ? {} : { max_installations: body.maxInstallations }),
    ...(body.allowedEnvironments === undefined ? {} : { allowed_environments: body.allowedEnvironments === null ? null : JSON.stringify([...new Set(body.allowedEnvironments)]) }),
  };
}

export class CustomerService {
  constructor(private readonly repo: CustomerRepository) {}

  list(vendorId: string, page: PageRequest): Promise<Page<Customer>> {
    return this.repo.list(vendorId, page);
  }

  /** A customer user sees only their own customer. */
  async get(scope: Scope, id: string): Promise<Customer> {
    const visible = isUuid(id) && (scope.customerId === null || scope.customerId === id);
    const c = visible ? await this.repo.get(scope.vendorId, id) : undefined;
    if (!c) throw AppError.notFound('Customer');
    return c;
  }

  async create(vendorId: string, body: CreateCustomerBody): Promise<Customer> {
    return conflictOnDuplicate(() => this.repo.create(vendorId, body), `A customer named "${body.name}" already exists`);
  }

  async update(vendorId: string, id: string, body: UpdateCustomerBody): Promise<Customer> {
    await this.get({ vendorId, customerId: null }, id);
    const c = await conflictOnDuplicate(() => this.repo.update(vendorId, id, body), `A customer named "${body.name ?? ''}" already exists`);
    if (!c) throw AppError.notFound('Customer');
    return c;
  }

  installationCount(vendorId: string, id: string): Promise<number> {
    return this.repo.installationCount(vendorId, id);
  }

  async delete(vendorId: string, id: string): Promise<void> {
    await this.get({ vendorId, customerId: null }, id);
    try {
      await this.repo.delete(vendorId, id);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new AppError('CONFLICT', 'The customer still has installations; delete them first');
      throw err;
    }
  }
}
