import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { BillingSubject, type Page, type Tenant } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { CurrentPrincipal, Roles } from '../guards/auth.guard';
import { CreateTenantBody, PageQuery } from '../dtos/gateway.dtos';
import type { Principal } from '../services/principal';
import { actorOf } from '../services/actor';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
@Roles('operator')
export class TenantsController {
  constructor(private readonly bus: NatsBus) {}

  /** Idempotent on `id`: creating the same tenant again answers the existing one. */
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTenantBody, @CurrentPrincipal() principal: Principal): Promise<Tenant> {
    return this.bus.request(BillingSubject.CreateTenant, { ...body, actor: actorOf(principal) });
  }

  @Get()
  list(@Query() query: PageQuery): Promise<Page<Tenant>> {
    return this.bus.request(BillingSubject.ListTenants, { cursor: query.cursor, limit: query.limit });
  }

  @Get(':tenantId')
  get(@Param('tenantId') tenantId: string): Promise<Tenant> {
    return this.bus.request(BillingSubject.GetTenant, { tenantId });
  }
}
