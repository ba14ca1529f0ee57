import { Injectable } from '@nestjs/common';
import {
  ClearOverrideRequest,
  ENTITLEMENTS_QUEUE,
  EntitlementsSubject,
  RecordUsageRequest,
  SetOverrideRequest,
  SnapshotRequest,
  TenantRequest,
} from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { EntitlementsService } from '../services/entitlements.service';

/** The other request/reply subjects (snapshot, usage, overrides), validated by their DTOs at the boundary. */
@Injectable()
export class RequestsHandler {
  constructor(
    private readonly bus: NatsBus,
    private readonly service: EntitlementsService,
  ) {}

  start(): void {
    const queue = { queue: ENTITLEMENTS_QUEUE };
    this.bus.serve(EntitlementsSubject.List, TenantRequest, (r) => this.service.snapshot(r.tenantId), queue);
    this.bus.serve(
      EntitlementsSubject.Snapshot,
      SnapshotRequest,
      (r) => this.service.snapshot(r.tenantId, r.minVersion ?? 0),
      queue,
    );
    this.bus.serve(
      EntitlementsSubject.RecordUsage,
      RecordUsageRequest,
      (r) => this.service.recordUsage(r),
      queue,
    );
    this.bus.serve(
      EntitlementsSubject.Usage,
      TenantRequest,
      (r) => this.service.usageView(r.tenantId),
      queue,
    );
    this.bus.serve(
      EntitlementsSubject.SetOverride,
      SetOverrideRequest,
      (r) => this.service.setOverride(r),
      queue,
    );
    this.bus.serve(
      EntitlementsSubject.ClearOverride,
      ClearOverrideRequest,
      (r) => this.service.clearOverride(r),
      queue,
    );
    this.bus.serve(
      EntitlementsSubject.ListOverrides,
      TenantRequest,
      (r) => this.service.listOverrides(r.tenantId),
      queue,
    );
  }
}
