/**
 * Serves `entitlements.check.v1` on a plain core-NATS queue subscription: the request is the JSON object
 * itself and the reply the decision itself (or `{"error": {...}}`), so any NATS client can call it. A check
 * against a cached snapshot of a boolean feature is answered synchronously inside the subscription callback:
 * no promise, no framework envelope, one JSON parse and one stringify. Everything else takes the async path.
 */
import { Injectable } from '@nestjs/common';
import type { Msg } from 'nats';
import {
  CheckRequest,
  DomainError,
  ENTITLEMENTS_QUEUE,
  EntitlementsSubject,
  ErrorCode,
  Header,
  type EntitlementSnapshot,
} from '@tollgate/contracts';
import { decodeJson, encodeJson, NatsBus, validateMessage } from '@tollgate/messaging';
import { Metrics, sanitizeCorrelationId, withCorrelation } from '@tollgate/observability';
import { EntitlementsService } from '../services/entitlements.service';
import { fastCheckRequest } from './check-request.validator';

@Injectable()
export class CheckResponder {
  private readonly replies = new WeakMap<
    EntitlementSnapshot,
    Map<string, { bytes: Uint8Array; until: number }>
  >();
  private readonly cachedHits;
  private readonly loaded;

  constructor(
    private readonly bus: NatsBus,
    private readonly service: EntitlementsService,
    metrics: Metrics,
  ) {
    const checks = metrics.counter('entitlement_checks_total', 'Entitlement checks answered, by path', [
      'path',
    ]);
    this.cachedHits = checks.labels('cached');
    this.loaded = checks.labels('loaded');
  }

  start(): void {
    const sub = this.bus.nc.subscribe(this.bus.subject(EntitlementsSubject.Check), {
      queue: ENTITLEMENTS_QUEUE,
      callback: (error, msg) => {
        if (error) {
          this.bus.logger.error({ err: error }, 'check subscription error');
          return;
        }
        this.handle(msg);
      },
    });
    this.bus.onStop(async () => sub.unsubscribe());
  }

  /**
   * The encoded reply for a boolean feature of a cached snapshot. Encoded replies are memoized per snapshot
   * object (a new snapshot is a new object, so invalidation needs no bookkeeping) until the decision could
   * change with time (decisionStableUntil).
   */
  private cachedReply(request: CheckRequest): Uint8Array | undefined {
    const snapshot = this.service.cachedSnapshot(request.tenantId);
    if (snapshot === undefined) return undefined;
    const memo = this.replies.get(snapshot);
    const hit = memo?.get(request.feature);
    if (hit !== undefined && this.service.now() < hit.until) return hit.bytes;
    const computed = this.service.checkCachedWithBound(request);
    if (computed === undefined) return undefined;
    const bytes = encodeJson(computed.decision);
    if (computed.snapshot === snapshot) {
      const features = memo ?? new Map<string, { bytes: Uint8Array; until: number }>();
      features.set(request.feature, { bytes, until: computed.stableUntil });
      if (!memo) this.replies.set(snapshot, features);
    }
    return bytes;
  }

  private handle(msg: Msg): void {
    let payload: unknown;
    let parsed = true;
    try {
      payload = decodeJson(msg.data);
    } catch {
      parsed = false;
    }
    const request = fastCheckRequest(payload);
    if (request) {
      try {
        const encoded = this.cachedReply(request);
        if (encoded) {
          this.cachedHits.inc();
          msg.respond(encoded);
          return;
        }
      } catch (thrown) {
        msg.respond(encodeJson(this.bus.errorReply(EntitlementsSubject.Check, thrown)));
        return;
      }
    }
    const correlationId = sanitizeCorrelationId(msg.headers?.get(Header.CorrelationId));
    const work = withCorrelation(correlationId, async () => {
      let reply: unknown;
      try {
        if (!parsed) throw new DomainError(ErrorCode.ValidationFailed, 'message is not valid JSON');
        const valid = request ?? (await validateMessage(CheckRequest, payload));
        reply = await this.service.check(valid);
        this.loaded.inc();
      } catch (thrown) {
        reply = this.bus.errorReply(EntitlementsSubject.Check, thrown);
      }
      msg.respond(encodeJson(reply));
    });
    void this.bus.track(work);
  }
}
