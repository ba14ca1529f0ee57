import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { StreamDefinition } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { Metrics } from '@tollgate/observability';
import { Public } from './public.decorator';

export const STREAMS_USED = Symbol('STREAMS_USED');
export const EXTRA_READINESS = Symbol('EXTRA_READINESS');
export const HAS_DATABASE = Symbol('HAS_DATABASE');

/** An extra readiness check a service contributes (an SMTP server, Stripe reachability...). */
export interface ReadinessCheck {
  key: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** Liveness (`/health`: the process answers) and readiness (`/health/ready`: Postgres, NATS, streams). */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly bus: NatsBus,
    @Inject(STREAMS_USED) private readonly streams: StreamDefinition[],
    private readonly db: TypeOrmHealthIndicator,
    @Inject(HAS_DATABASE) private readonly hasDatabase: boolean,
    @Optional() @Inject(EXTRA_READINESS) private readonly extra: ReadinessCheck[] = [],
  ) {}

  @Get('health')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    const checks: (() => Promise<HealthIndicatorResult>)[] = [
      async () => {
        const state = this.indicator.check('nats');
        if (this.bus.nc.isClosed() || this.bus.isClosing) return state.down({ detail: 'closed' });
        const streams = await this.bus.streamsReady(this.streams);
        return streams.ok ? state.up() : state.down({ detail: streams.detail });
      },
    ];
    if (this.hasDatabase) checks.push(() => this.db.pingCheck('postgres', { timeout: 2000 }));
    for (const extra of this.extra)
      checks.push(async () => {
        const state = this.indicator.check(extra.key);
        const result = await extra.check();
        return result.ok ? state.up() : state.down({ detail: result.detail });
      });
    return this.health.check(checks);
  }
}

@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
