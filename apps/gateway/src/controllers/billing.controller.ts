import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { BillingSubject, DomainError, ErrorCode, type BillingState } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { CurrentPrincipal, Roles, type AuthedRequest } from '../guards/auth.guard';
import { AddMemberBody, CancelBody, PageQuery, PlanBody, TenantQuery } from '../dtos/gateway.dtos';
import { Idempotent, IDEMPOTENCY_HEADER } from '../services/idempotency.interceptor';
import type { Principal } from '../services/principal';
import { tenantScope } from '../services/tenant-scope';
import { actorOf } from '../services/actor';

const WRITERS = ['owner', 'admin'] as const;
const READERS = ['owner', 'admin', 'support', 'operator'] as const;

/** What a member may see of the billing state (CONTRACT.md: plan tier and renewal date). */
export function memberView(state: BillingState): Pick<BillingState, 'plan' | 'status' | 'renewsAt'> {
  return { plan: state.plan, status: state.status, renewsAt: state.renewsAt };
}

function idempotencyKeyOf(req: AuthedRequest): string {
  const key = req.headers[IDEMPOTENCY_HEADER];
  return typeof key === 'string' && key.length > 0 ? key : `gw:${randomUUID()}`;
}

@ApiTags('billing')
@ApiBearerAuth()
@Controller('v1/billing')
export class BillingController {
  constructor(private readonly bus: NatsBus) {}

  @Get()
  @Roles('owner', 'admin', 'member', 'support', 'operator')
  async state(@Query() query: TenantQuery, @CurrentPrincipal() principal: Principal) {
    const tenantId = tenantScope(principal, query.tenantId);
    const state = await this.bus.request(BillingSubject.GetState, { tenantId });
    return principal.role === 'member' ? memberView(state) : state;
  }

  @Post('checkout')
  @HttpCode(200)
  @Roles(...WRITERS)
  @Idempotent()
  checkout(@Body() body: PlanBody, @CurrentPrincipal() principal: Principal, @Req() req: AuthedRequest) {
    return this.bus.request(BillingSubject.CreateCheckout, {
      ...body,
      tenantId: tenantScope(principal),
      idempotencyKey: idempotencyKeyOf(req),
      actor: actorOf(principal),
    });
  }

  @Post('portal')
  @HttpCode(200)
  @Roles(...WRITERS)
  @Idempotent()
  portal(@CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.CreatePortal, {
      tenantId: tenantScope(principal),
      actor: actorOf(principal),
    });
  }

  @Post('change/preview')
  @HttpCode(200)
  @Roles(...WRITERS)
  preview(@Body() body: PlanBody, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.PreviewChange, {
      ...body,
      tenantId: tenantScope(principal),
      actor: actorOf(principal),
    });
  }

  @Post('change')
  @HttpCode(200)
  @Roles(...WRITERS)
  @Idempotent()
  change(@Body() body: PlanBody, @CurrentPrincipal() principal: Principal, @Req() req: AuthedRequest) {
    return this.bus.request(BillingSubject.ApplyChange, {
      ...body,
      tenantId: tenantScope(principal),
      idempotencyKey: idempotencyKeyOf(req),
      actor: actorOf(principal),
    });
  }

  @Post('cancel')
  @HttpCode(200)
  @Roles(...WRITERS)
  @Idempotent()
  cancel(@Body() body: CancelBody, @CurrentPrincipal() principal: Principal, @Req() req: AuthedRequest) {
    return this.bus.request(BillingSubject.Cancel, {
      ...body,
      tenantId: tenantScope(principal),
      idempotencyKey: idempotencyKeyOf(req),
      actor: actorOf(principal),
    });
  }

  @Post('resume')
  @HttpCode(200)
  @Roles(...WRITERS)
  @Idempotent()
  resume(@CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.Resume, {
      tenantId: tenantScope(principal),
      actor: actorOf(principal),
    });
  }

  @Get('invoices')
  @Roles(...READERS)
  invoices(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.ListInvoices, {
      tenantId: tenantScope(principal, query.tenantId),
      cursor: query.cursor,
      limit: query.limit,
    });
  }

  /** 302 to Stripe's PDF; another tenant's invoice is not found. */
  @Get('invoices/:id/pdf')
  @Roles(...READERS)
  async invoicePdf(
    @Param('id') invoiceId: string,
    @Query() query: TenantQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const invoice = await this.bus.request(BillingSubject.GetInvoice, {
      tenantId: tenantScope(principal, query.tenantId),
      invoiceId,
    });
    if (!invoice.invoicePdf) throw new DomainError(ErrorCode.NotFound, 'this invoice has no PDF yet');
    res.redirect(302, invoice.invoicePdf);
  }

  @Get('members')
  @Roles(...WRITERS)
  members(@CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.ListMembers, { tenantId: tenantScope(principal) });
  }

  @Post('members')
  @HttpCode(201)
  @Roles(...WRITERS)
  @Idempotent()
  addMember(@Body() body: AddMemberBody, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.AddMember, {
      ...body,
      tenantId: tenantScope(principal),
      actor: actorOf(principal),
    });
  }

  @Delete('members/:userId')
  @Roles(...WRITERS)
  @Idempotent()
  removeMember(@Param('userId') userId: string, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.RemoveMember, {
      userId,
      tenantId: tenantScope(principal),
      actor: actorOf(principal),
    });
  }

  @Get('audit')
  @Roles(...READERS)
  audit(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(BillingSubject.ListAudit, {
      tenantId: tenantScope(principal, query.tenantId),
      cursor: query.cursor,
      limit: query.limit,
    });
  }
}
