import type { DataSource } from 'typeorm';
import {
  BillingEvent,
  DomainError,
  ErrorCode,
  TENANT_ID_PATTERN,
  type CreateTenantRequest,
  type ListTenantsRequest,
  type Page,
  type Tenant,
} from '@tollgate/contracts';
import { isTestModeKey } from '@tollgate/stripe-client';
import type { StripeGateway } from '../adapters/stripe.gateway';
import { TenantEntity } from '../entities';
import { AuditRepository } from '../repositories/audit.repository';
import { OutboxRepository } from '../repositories/outbox.repository';
import { TenantRepository, tenantView } from '../repositories/tenant.repository';

/** A tenant id from a display name: "Acme Corp." → "acme-corp". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'tenant';
}

export class TenantService {
  private readonly tenants = new TenantRepository();
  private readonly audit = new AuditRepository();
  private readonly outbox = new OutboxRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    private readonly options: { stripeSecretKey: string; onCommit: () => void },
  ) {}

  /**
   * Idempotent on the id (given, or the slug of the name): a repeat with the same name and email answers the
   * tenant that exists; different details are a conflict. The Stripe customer is created with the key
   * `tenant:<id>:customer`, so a retry after a crash between Stripe and our commit reuses it.
   */
  async create(request: CreateTenantRequest): Promise<Tenant> {
    const id = request.id ?? slugify(request.name);
    if (!TENANT_ID_PATTERN.test(id))
      throw new DomainError(ErrorCode.ValidationFailed, 'tenant id is not valid', { fields: { id: [id] } });
    if (request.testClock && !isTestModeKey(this.options.stripeSecretKey))
      throw new DomainError(ErrorCode.ValidationFailed, 'testClock needs a test-mode Stripe key', {
        fields: { testClock: ['test clocks exist in test mode only'] },
      });
    const existing = await this.tenants.find(this.ds.manager, id);
    if (existing) return this.sameOrConflict(existing, request);

    const locale = request.locale ?? 'en';
    const customerId = await this.stripe.createCustomer(
      { tenantId: id, name: request.name, email: request.billingEmail, locale, testClock: request.testClock },
      `tenant:${id}:customer`,
    );
    const tenant = await this.ds.transaction(async (em) => {
      const row = Object.assign(new TenantEntity(), {
        id,
        name: request.name,
        billingEmail: request.billingEmail,
        locale,
        timeZone: request.timeZone ?? 'UTC',
        stripeCustomerId: customerId,
        testClock: request.testClock ?? null,
        paymentMethodId: null,
        paymentMethodBrand: null,
        paymentMethodLast4: null,
        creditBalance: 0,
        stateVersion: '0',
        createdAt: new Date(),
      });
      if (!(await this.tenants.insertIfAbsent(em, row)))
        return this.sameOrConflict((await this.tenants.find(em, id))!, request);
      const view = tenantView(row);
      await this.audit.append(em, {
        tenantId: id,
        actor: request.actor,
        action: 'tenant.created',
        after: view,
      });
      await this.outbox.enqueue(em, BillingEvent.TenantCreated, { tenant: view });
      return view;
    });
    this.options.onCommit();
    return tenant;
  }

  async get(id: string): Promise<Tenant> {
    const row = await this.tenants.find(this.ds.manager, id);
    if (!row) throw new DomainError(ErrorCode.NotFound, 'tenant not found');
    return tenantView(row);
  }

  list(request: ListTenantsRequest): Promise<Page<Tenant>> {
    return this.tenants.list(this.ds.manager, request.cursor, request.limit ?? 50);
  }

  private sameOrConflict(existing: TenantEntity, request: CreateTenantRequest): Tenant {
    if (existing.name === request.name && existing.billingEmail === request.billingEmail)
      return tenantView(existing);
    throw new DomainError(ErrorCode.Conflict, `tenant ${existing.id} already exists with other details`, {
      tenantId: existing.id,
    });
  }
}
