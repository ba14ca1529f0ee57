import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  BillingSubject,
  EntitlementsSubject,
  ReconciliationSubject,
  WebhooksSubject,
} from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { CurrentPrincipal, Roles } from '../guards/auth.guard';
import type { Principal } from '../services/principal';
import {
  CatchUpBody,
  ClearOverrideQuery,
  CursorQuery,
  DeadLetterQuery,
  OverrideBody,
  ReconcileBody,
  RepublishBody,
  RunQuery,
} from '../dtos/gateway.dtos';

/**
 * Operator routes: dead letters and replay, the webhook event explorer, catch-up from Stripe's Events API,
 * republishing what the broker lost (Stripe events and billing's domain events).
 */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('v1/operator')
@Roles('operator')
export class OperatorController {
  constructor(private readonly bus: NatsBus) {}

  @Get('dead-letters')
  deadLetters(@Query() query: DeadLetterQuery) {
    return this.bus.request(WebhooksSubject.ListDeadLetters, query);
  }

  @Get('dead-letters/:id')
  deadLetter(@Param('id') id: string) {
    return this.bus.request(WebhooksSubject.GetDeadLetter, { id });
  }

  @Post('dead-letters/:id/replay')
  @HttpCode(200)
  replay(@Param('id') id: string) {
    return this.bus.request(WebhooksSubject.ReplayDeadLetter, { id });
  }

  @Get('webhook-events')
  events(@Query() query: DeadLetterQuery) {
    return this.bus.request(WebhooksSubject.ListEvents, query);
  }

  @Get('webhook-events/:id')
  event(@Param('id') id: string) {
    return this.bus.request(WebhooksSubject.GetEvent, { id });
  }

  @Post('webhook-events/catch-up')
  @HttpCode(200)
  catchUp(@Body() body: CatchUpBody) {
    return this.bus.request(WebhooksSubject.CatchUp, body, { timeoutMs: 120_000 });
  }

  @Post('webhook-events/republish')
  @HttpCode(200)
  republish(@Body() body: RepublishBody) {
    return this.bus.request(WebhooksSubject.Republish, body, { timeoutMs: 60_000 });
  }

  /** Billing's domain events published in the window go back to its outbox relay (after a broker lost them). */
  @Post('billing-events/republish')
  @HttpCode(200)
  republishBillingEvents(@Body() body: RepublishBody) {
    return this.bus.request(BillingSubject.RepublishOutbox, body, { timeoutMs: 60_000 });
  }

  /** Entitlement overrides (audited by entitlements): above the plan until cleared or expired. */
  @Get('tenants/:tenantId/overrides')
  overrides(@Param('tenantId') tenantId: string) {
    return this.bus.request(EntitlementsSubject.ListOverrides, { tenantId });
  }

  @Put('tenants/:tenantId/overrides/:feature')
  setOverride(
    @Param('tenantId') tenantId: string,
    @Param('feature') feature: string,
    @Body() body: OverrideBody,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.bus.request(EntitlementsSubject.SetOverride, {
      ...body,
      tenantId,
      feature,
      actor: { type: 'operator', id: principal.userId },
    });
  }

  @Delete('tenants/:tenantId/overrides/:feature')
  clearOverride(
    @Param('tenantId') tenantId: string,
    @Param('feature') feature: string,
    @Query() query: ClearOverrideQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.bus.request(EntitlementsSubject.ClearOverride, {
      tenantId,
      feature,
      reason: query.reason,
      actor: { type: 'operator', id: principal.userId },
    });
  }

  /** Starts a reconciliation run in the background (catch-up, walk, repair or report); answers the run. */
  @Post('reconciliation/runs')
  @HttpCode(202)
  reconcile(@Body() body: ReconcileBody, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(ReconciliationSubject.Run, {
      dryRun: body.dryRun ?? false,
      actor: { type: 'operator', id: principal.userId, role: 'operator' },
    });
  }

  @Get('reconciliation/runs')
  runs(@Query() query: CursorQuery) {
    return this.bus.request(ReconciliationSubject.ListRuns, query);
  }

  @Get('reconciliation/runs/:runId')
  run(@Param('runId') runId: string, @Query() query: RunQuery) {
    return this.bus.request(ReconciliationSubject.GetRun, { runId, ...query });
  }
}
