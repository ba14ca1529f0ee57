/** HTTP request bodies and queries of the public API; unknown fields are refused (ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsISO8601,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  FEATURE_KEY_PATTERN,
  INTERVALS,
  PLAN_IDS,
  TENANT_ID_PATTERN,
  type Interval,
  type PlanId,
} from '@tollgate/contracts';

export class TenantQuery {
  /** Operators name the tenant they act on; tenant roles may omit it (their own tenant is used). */
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID_PATTERN)
  tenantId?: string;
}

export class CursorQuery {
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class PageQuery extends CursorQuery {
  /** Operators name the tenant they act on; tenant roles may omit it. */
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID_PATTERN)
  tenantId?: string;
}

export class CheckQuery extends TenantQuery {
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  quantity?: number;
}

export class CreateTenantBody {
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID_PATTERN)
  id?: string;
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
  @ApiProperty({ type: String })
  @IsEmail()
  billingEmail!: string;
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  locale?: string;
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  testClock?: string;
}

export class PlanBody {
  @ApiProperty({ type: String, enum: [...PLAN_IDS] })
  @IsIn(PLAN_IDS)
  plan!: PlanId;
  @ApiProperty({ type: String, enum: [...INTERVALS] })
  @IsIn(INTERVALS)
  interval!: Interval;
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  seats?: number;
}

export class CancelBody {
  @ApiProperty({ type: String, enum: ['period_end', 'now'] })
  @IsIn(['period_end', 'now'])
  at!: 'period_end' | 'now';
}

export class AddMemberBody {
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  userId!: string;
  @ApiProperty({ type: String })
  @IsEmail()
  email!: string;
}

export class UsageBody {
  @ApiProperty({ type: String })
  @IsString()
  @Matches(FEATURE_KEY_PATTERN)
  @MaxLength(64)
  feature!: string;
  @ApiProperty({ type: Number })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  quantity!: number;
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey!: string;
}

export class CatchUpBody {
  @ApiProperty({ type: Number })
  @IsInt()
  @Min(0)
  since!: number;
}

/** Unix seconds on the time each event was published: `since` inclusive, `until` exclusive. */
export class RepublishBody {
  @ApiProperty({ type: Number })
  @IsInt()
  @Min(0)
  since!: number;

  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @IsInt()
  @Min(0)
  until?: number;
}

export class DeadLetterQuery extends CursorQuery {
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  status?: string;
}

export class OverrideBody {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  limit?: number;
  @ApiPropertyOptional({ type: String, enum: ['soft', 'hard'] })
  @IsOptional()
  @IsIn(['soft', 'hard'])
  enforcement?: 'soft' | 'hard';
  @ApiPropertyOptional({ type: String, description: 'ISO 8601; omitted: until cleared' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class ClearOverrideQuery {
  @ApiProperty({ type: String })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class ReconcileBody {
  @ApiPropertyOptional({ type: Boolean, description: 'report differences without repairing anything' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class RunQuery {
  @ApiPropertyOptional({ type: Number, description: "include up to this many of the run's differences" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  differences?: number;
}
