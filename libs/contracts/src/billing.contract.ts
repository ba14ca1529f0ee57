import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { Actor, DunningStage, Interval, PlanId, SubscriptionState } from './enums';
import { INTERVALS, PLAN_IDS, ROLES } from './enums';
import type { RepublishReply, RepublishRequest } from './webhooks.contract';

/** Request/reply subjects owned by billing (queue group `billing`). */
export const BillingSubject = {
  CreateTenant: 'billing.tenant.create.v1',
  GetTenant: 'billing.tenant.get.v1',
  ListTenants: 'billing.tenant.list.v1',
  GetState: 'billing.state.get.v1',
  CreateCheckout: 'billing.checkout.create.v1',
  CreatePortal: 'billing.portal.create.v1',
  PreviewChange: 'billing.change.preview.v1',
  ApplyChange: 'billing.change.apply.v1',
  Cancel: 'billing.cancel.v1',
  Resume: 'billing.resume.v1',
  ListInvoices: 'billing.invoices.list.v1',
  GetInvoice: 'billing.invoices.get.v1',
  ListMembers: 'billing.members.list.v1',
  AddMember: 'billing.members.add.v1',
  RemoveMember: 'billing.members.remove.v1',
  ListAudit: 'billing.audit.list.v1',
  /** Operator: domain events the outbox marked published in a window go back to its relay (RepublishRequest). */
  RepublishOutbox: 'billing.outbox.republish.v1',
} as const;

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class ActorDto implements Actor {
  @IsIn(['user', 'stripe', 'system', 'operator']) type!: Actor['type'];
  @IsString() @IsNotEmpty() @MaxLength(200) id!: string;
  @IsOptional() @IsIn(ROLES) role?: Actor['role'];
}

/** Every billing command names who asked for it; it lands in the audit log. */
export abstract class Command {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
}

export class CreateTenantRequest extends Command {
  @IsOptional() @IsString() @Matches(TENANT_ID_PATTERN) id?: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsEmail() billingEmail!: string;
  @IsOptional() @IsString() @MaxLength(35) locale?: string;
  @IsOptional() @IsString() @MaxLength(64) timeZone?: string;
  @IsOptional() @IsString() @MaxLength(100) testClock?: string;
}

export class TenantScoped {
  @IsString() @Matches(TENANT_ID_PATTERN) tenantId!: string;
}

export class TenantCommand extends Command {
  @IsString() @Matches(TENANT_ID_PATTERN) tenantId!: string;
}

export class PlanSelection extends TenantCommand {
  @IsIn(PLAN_IDS) plan!: PlanId;
  @IsIn(INTERVALS) interval!: Interval;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) seats?: number;
}

export class IdempotentPlanSelection extends PlanSelection {
  @IsString() @IsNotEmpty() @MaxLength(255) idempotencyKey!: string;
}

export class CancelRequest extends TenantCommand {
  @IsIn(['period_end', 'now']) at!: 'period_end' | 'now';
  @IsOptional() @IsString() @MaxLength(255) idempotencyKey?: string;
}

export class PageRequest extends TenantScoped {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}

export class InvoiceRequest extends TenantScoped {
  @IsString() @IsNotEmpty() @MaxLength(100) invoiceId!: string;
}

export class AddMemberRequest extends TenantCommand {
  @IsString() @IsNotEmpty() @MaxLength(200) userId!: string;
  @IsEmail() email!: string;
}

export class RemoveMemberRequest extends TenantCommand {
  @IsString() @IsNotEmpty() @MaxLength(200) userId!: string;
}

export class ListTenantsRequest {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}

export interface Tenant {
  id: string;
  name: string;
  billingEmail: string;
  locale: string;
  timeZone: string;
  stripeCustomerId: string | null;
  createdAt: string;
}

export interface BillingState {
  tenantId: string;
  plan: PlanId;
  interval: Interval | null;
  status: SubscriptionState;
  renewsAt: string | null;
  cancelAt: string | null;
  trialEndsAt: string | null;
  seats: { used: number; included: number; purchased: number };
  paymentMethod: { brand: string; last4: string } | null;
  dunning: { stage: DunningStage; since: string | null; nextRetryAt: string | null };
  pendingChange: { plan: PlanId; interval: Interval; seats?: number; effectiveAt: string } | null;
  creditBalance: number;
  currency: string;
  syncedAt: string | null;
}

export interface CheckoutReply {
  checkoutUrl: string;
  sessionId: string;
}

/**
 * Stripe's own numbers for a plan change (integer minor units): `amountDueNow` is the amount due of the invoice
 * the change creates now (0 when it creates none or a credit), `creditNow` the credit that invoice adds to the
 * account balance, `nextInvoiceTotal` the total of the next regular invoice, `effectiveAt` when the new plan's
 * entitlements apply (now, or the period end for a downgrade).
 */
export interface ChangePreview {
  amountDueNow: number;
  creditNow?: number;
  currency: string;
  nextInvoiceTotal: number;
  effectiveAt: string;
  kind: 'upgrade' | 'downgrade' | 'interval_change' | 'seats';
  lines: {
    description: string;
    amount: number;
    proration: boolean;
    period: { start: string; end: string };
  }[];
}

export interface Invoice {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  total: number;
  amountDue: number;
  amountPaid: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string;
  addedAt: string;
}

export interface AuditEntry {
  id: string;
  tenantId: string | null;
  actor: Actor;
  action: string;
  before: unknown;
  after: unknown;
  correlationId: string | null;
  at: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface BillingRequests {
  [BillingSubject.CreateTenant]: { request: CreateTenantRequest; reply: Tenant };
  [BillingSubject.GetTenant]: { request: TenantScoped; reply: Tenant };
  [BillingSubject.ListTenants]: { request: ListTenantsRequest; reply: Page<Tenant> };
  [BillingSubject.GetState]: { request: TenantScoped; reply: BillingState };
  [BillingSubject.CreateCheckout]: { request: IdempotentPlanSelection; reply: CheckoutReply };
  [BillingSubject.CreatePortal]: { request: TenantCommand; reply: { url: string } };
  [BillingSubject.PreviewChange]: { request: PlanSelection; reply: ChangePreview };
  [BillingSubject.ApplyChange]: { request: IdempotentPlanSelection; reply: BillingState };
  [BillingSubject.Cancel]: { request: CancelRequest; reply: BillingState };
  [BillingSubject.Resume]: { request: TenantCommand; reply: BillingState };
  [BillingSubject.ListInvoices]: { request: PageRequest; reply: Page<Invoice> };
  [BillingSubject.GetInvoice]: { request: InvoiceRequest; reply: Invoice };
  [BillingSubject.ListMembers]: {
    request: TenantScoped;
    reply: { data: Member[]; seats: BillingState['seats'] };
  };
  [BillingSubject.AddMember]: { request: AddMemberRequest; reply: Member };
  [BillingSubject.RemoveMember]: { request: RemoveMemberRequest; reply: { removed: true } };
  [BillingSubject.ListAudit]: { request: PageRequest; reply: Page<AuditEntry> };
  [BillingSubject.RepublishOutbox]: { request: RepublishRequest; reply: RepublishReply };
}

/** Domain event payloads (JetStream, stream BILLING_EVENTS). */
export interface TenantCreatedEvent {
  tenant: Tenant;
}

export interface SubscriptionChangedEvent {
  tenantId: string;
  plan: PlanId;
  interval: Interval | null;
  state: SubscriptionState;
  previousState: SubscriptionState;
  seats: number;
  periodStart: string | null;
  periodEnd: string | null;
  graceUntil: string | null;
  cause: string;
  /** Monotonic per tenant: consumers ignore an event older than what they already applied. */
  version: number;
  at: string;
}

export interface InvoiceChangedEvent {
  tenantId: string;
  invoice: Invoice;
  cause: string;
}

export const NOTIFICATION_KINDS = [
  'trial_started',
  'trial_ending',
  'payment_succeeded',
  'payment_failed',
  'payment_reminder',
  'payment_urgent',
  'action_required',
  'suspended',
  'reactivated',
  'plan_changed',
  'canceled',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export class NotificationRequestedEvent {
  @IsString() @Matches(TENANT_ID_PATTERN) tenantId!: string;
  @IsIn(NOTIFICATION_KINDS) kind!: NotificationKind;
  /** What caused it (a Stripe event id, an invoice id plus stage...). One email per (tenant, kind, cause). */
  @IsString() @IsNotEmpty() @MaxLength(255) cause!: string;
  @IsEmail() to!: string;
  @IsString() @MaxLength(35) locale!: string;
  @IsString() @MaxLength(64) timeZone!: string;
  /** Template data: amounts in minor units with `currency`, dates as ISO strings, URLs. */
  @IsObject() data!: Record<string, string | number | boolean | null>;
}

export interface BillingEvents {
  'billing.tenant.created.v1': TenantCreatedEvent;
  'billing.subscription.changed.v1': SubscriptionChangedEvent;
  'billing.invoice.changed.v1': InvoiceChangedEvent;
  'billing.notification.requested.v1': NotificationRequestedEvent;
}

/**
 * Reconciliation (issue 8): operator request/reply subjects served by billing (queue group `billing`).
 * `run` starts a run in the background and answers at once with its record (status `running`), or with
 * status `skipped` when another run holds the lease; `get` and `list` read the stored reports.
 */
export const ReconciliationSubject = {
  Run: 'billing.reconcile.run.v1',
  ListRuns: 'billing.reconcile.runs.list.v1',
  GetRun: 'billing.reconcile.runs.get.v1',
} as const;

export const DRIFT_KINDS = [
  'missing_locally',
  'missing_in_stripe',
  'status_differs',
  'plan_differs',
  'period_differs',
  'details_differ',
  'unknown_price',
  'unknown_tenant',
  'duplicate_live',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export const DIFFERENCE_STATUSES = [
  'pending',
  'repaired',
  'superseded',
  'reported',
  'would_repair',
  'failed',
] as const;
export type DifferenceStatus = (typeof DIFFERENCE_STATUSES)[number];

export class ReconcileRunRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsOptional() @IsIn([true, false]) dryRun?: boolean;
}

export class ReconcileRunsListRequest {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
}

export class ReconcileRunGetRequest {
  @IsString() @Matches(/^[0-9a-f-]{36}$/) runId!: string;
  /** Include the run's differences (first `limit`, oldest first). */
  @IsOptional() @IsInt() @Min(0) @Max(1000) differences?: number;
}

export interface ReconciliationDifference {
  id: string;
  objectType: 'subscription' | 'customer' | 'invoice';
  objectId: string;
  tenantId: string | null;
  stripeCustomerId: string | null;
  kind: DriftKind;
  safe: boolean;
  status: DifferenceStatus;
  detail: Record<string, unknown>;
  firstSeenAt: string;
  resolvedAt: string | null;
}

export interface ReconciliationReport {
  /** Differences found, per kind. */
  found: Partial<Record<DriftKind, number>>;
  repaired: number;
  /** Found and not repaired: reported for an operator, would-repair in a dry run, or failed. */
  pending: number;
  superseded: number;
  catchUp: { status: 'done' | 'skipped' | 'failed'; listed?: number; fed?: number; error?: string } | null;
  objects: { customers: number; subscriptions: number; invoices: number };
  stripeRequests: number;
  rateLimited: number;
  durationMs: number;
  oldestUnrepairedSeconds: number | null;
}

export interface ReconciliationRun {
  id: string;
  status: 'running' | 'completed' | 'failed' | 'skipped';
  dryRun: boolean;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  attempts: number;
  lastError: string | null;
  report: ReconciliationReport | null;
  differences?: ReconciliationDifference[];
}

export interface BillingRequests {
  [ReconciliationSubject.Run]: { request: ReconcileRunRequest; reply: ReconciliationRun };
  [ReconciliationSubject.ListRuns]: { request: ReconcileRunsListRequest; reply: Page<ReconciliationRun> };
  [ReconciliationSubject.GetRun]: { request: ReconcileRunGetRequest; reply: ReconciliationRun };
}
