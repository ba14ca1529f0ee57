/**
 * Billing's request/reply API over NATS (queue group `billing`). Every request is validated against its
 * contract class by the bus; a DomainError becomes the error envelope.
 */
import {
  AddMemberRequest,
  BillingSubject,
  CancelRequest,
  CreateTenantRequest,
  IdempotentPlanSelection,
  InvoiceRequest,
  ListTenantsRequest,
  PageRequest,
  PlanSelection,
  RemoveMemberRequest,
  RepublishRequest,
  TenantCommand,
  TenantScoped,
} from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import type { BillingStateService } from '../services/billing-state.service';
import type { CheckoutService } from '../services/checkout.service';
import type { OutboxRelay } from '../services/outbox-relay.service';
import type { SubscriptionCommandsService } from '../services/subscription-commands.service';
import type { TenantService } from '../services/tenant.service';

export const BILLING_QUEUE = 'billing';

export function serveBillingRequests(
  bus: NatsBus,
  services: {
    tenants: TenantService;
    checkout: CheckoutService;
    state: BillingStateService;
    commands: SubscriptionCommandsService;
    relay: OutboxRelay;
  },
): void {
  const queue = { queue: BILLING_QUEUE };
  const { tenants, checkout, state, commands, relay } = services;
  bus.serve(BillingSubject.CreateTenant, CreateTenantRequest, (r) => tenants.create(r), queue);
  bus.serve(BillingSubject.GetTenant, TenantScoped, (r) => tenants.get(r.tenantId), queue);
  bus.serve(BillingSubject.ListTenants, ListTenantsRequest, (r) => tenants.list(r), queue);
  bus.serve(BillingSubject.GetState, TenantScoped, (r) => state.state(r), queue);
  bus.serve(BillingSubject.CreateCheckout, IdempotentPlanSelection, (r) => checkout.create(r), queue);
  bus.serve(BillingSubject.CreatePortal, TenantCommand, (r) => checkout.portal(r), queue);
  bus.serve(BillingSubject.PreviewChange, PlanSelection, (r) => commands.preview(r), queue);
  bus.serve(BillingSubject.ApplyChange, IdempotentPlanSelection, (r) => commands.change(r), queue);
  bus.serve(BillingSubject.Cancel, CancelRequest, (r) => commands.cancel(r), queue);
  bus.serve(BillingSubject.Resume, TenantCommand, (r) => commands.resume(r), queue);
  bus.serve(BillingSubject.ListInvoices, PageRequest, (r) => state.listInvoices(r), queue);
  bus.serve(BillingSubject.GetInvoice, InvoiceRequest, (r) => state.getInvoice(r), queue);
  bus.serve(BillingSubject.ListMembers, TenantScoped, (r) => state.listMembers(r), queue);
  bus.serve(BillingSubject.AddMember, AddMemberRequest, (r) => commands.addMember(r), queue);
  bus.serve(BillingSubject.RemoveMember, RemoveMemberRequest, (r) => commands.removeMember(r), queue);
  bus.serve(BillingSubject.ListAudit, PageRequest, (r) => state.listAudit(r), queue);
  bus.serve(BillingSubject.RepublishOutbox, RepublishRequest, (r) => relay.republish(r), queue);
}
