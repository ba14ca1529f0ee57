import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { EntitlementsSubject } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { CurrentPrincipal, Roles } from '../guards/auth.guard';
import { CheckQuery, TenantQuery, UsageBody } from '../dtos/gateway.dtos';
import type { Principal } from '../services/principal';
import { tenantScope } from '../services/tenant-scope';

const TENANT_ROLES = ['owner', 'admin', 'member', 'support'] as const;

@ApiTags('entitlements')
@ApiBearerAuth()
@Controller('v1')
@Roles(...TENANT_ROLES)
export class EntitlementsController {
  constructor(private readonly bus: NatsBus) {}

  @Get('entitlements')
  list(@Query() query: TenantQuery, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(EntitlementsSubject.List, { tenantId: tenantScope(principal, query.tenantId) });
  }

  @Get('entitlements/:feature')
  check(
    @Param('feature') feature: string,
    @Query() query: CheckQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.bus.request(EntitlementsSubject.Check, {
      tenantId: tenantScope(principal, query.tenantId),
      feature,
      ...(query.quantity !== undefined ? { quantity: query.quantity } : {}),
    });
  }

  /** Usage per feature in the current window. */
  @Get('usage')
  usageView(@Query() query: TenantQuery, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(EntitlementsSubject.Usage, { tenantId: tenantScope(principal, query.tenantId) });
  }

  /** Records usage and answers the decision; over a hard limit: 402 limit_exceeded, nothing recorded. */
  @Post('usage')
  @HttpCode(200)
  usage(@Body() body: UsageBody, @CurrentPrincipal() principal: Principal) {
    return this.bus.request(EntitlementsSubject.RecordUsage, { ...body, tenantId: tenantScope(principal) });
  }
}
