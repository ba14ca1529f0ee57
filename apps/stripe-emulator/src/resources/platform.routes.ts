/** Events, webhook endpoints (with their whsec_ signing secrets) and test clocks. */
import { buildTestClock, buildWebhookEndpoint } from '../billing/object-builders';
import type { ApiRouter } from '../core/api-router';
import { idOf, previousAttributes, type EmulatorContext } from '../core/emulator-context';
import { newId, newSecret } from '../core/ids';
import { matchesRange, paginate } from '../core/list';
import { mergeMetadata } from '../core/params';
import { clone } from '../core/state';
import { invalidRequest } from '../core/stripe-error';

export function registerWebhookEndpoint(
  ctx: EmulatorContext,
  input: {
    url: string;
    enabledEvents: string[];
    description?: string | null;
    metadata?: Record<string, string>;
    secret?: string;
  },
) {
  const endpoint = buildWebhookEndpoint({
    id: newId('we_1'),
    created: ctx.realNow(),
    url: input.url,
    enabledEvents: input.enabledEvents,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
  });
  ctx.data.webhookEndpoints[endpoint.id] = endpoint;
  ctx.data.webhookSecrets[endpoint.id] = input.secret ?? newSecret('whsec');
  return endpoint;
}

export interface ClockAdvancer {
  /** Moves the clock to `to`, running due work; asynchronous like Stripe's (status `advancing` until done). */
  advance(clockId: string, to: number): void;
}

export function registerPlatformRoutes(api: ApiRouter, ctx: EmulatorContext, clocks: ClockAdvancer): void {
  api.get('/v1/events/:id', ({ path }) => ctx.require('events', path.id));
  api.get('/v1/events', ({ params }) => {
    const type = params.string('type');
    const types = params.strings('types');
    const matchesType = (t: string) =>
      (!type || (type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type)) &&
      (!types || types.includes(t));
    const list = Object.values(ctx.data.events)
      .reverse()
      .filter((e) => matchesType(e.type) && matchesRange(e.created, params, 'created'));
    return paginate(list, params, '/v1/events');
  });

  api.post('/v1/webhook_endpoints', ({ params }) => {
    const url = params.requiredString('url');
    if (!/^https?:\/\//.test(url))
      throw invalidRequest(
        'Invalid URL: URL must be publicly accessible or use http(s).',
        'url',
        'url_invalid',
      );
    const enabledEvents = params.strings('enabled_events');
    if (!enabledEvents || enabledEvents.length === 0)
      throw invalidRequest('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
    const endpoint = registerWebhookEndpoint(ctx, {
      url,
      enabledEvents,
      description: params.string('description') ?? null,
      metadata: params.metadata() ?? {},
    });
    return { ...endpoint, secret: ctx.data.webhookSecrets[endpoint.id] };
  });
  api.get('/v1/webhook_endpoints/:id', ({ path }) => ctx.require('webhookEndpoints', path.id));
  api.get('/v1/webhook_endpoints', ({ params }) =>
    paginate(Object.values(ctx.data.webhookEndpoints).reverse(), params, '/v1/webhook_endpoints'),
  );
  api.post('/v1/webhook_endpoints/:id', ({ params, path }) => {
    const endpoint = ctx.require('webhookEndpoints', path.id);
    if (params.has('url')) endpoint.url = params.requiredString('url');
    const events = params.strings('enabled_events');
    if (events) endpoint.enabled_events = events;
    if (params.has('disabled')) endpoint.status = params.bool('disabled') ? 'disabled' : 'enabled';
    if (params.has('description')) endpoint.description = params.nullableString('description') ?? null;
    endpoint.metadata = mergeMetadata(endpoint.metadata, params.metadata());
    return endpoint;
  });
  api.delete('/v1/webhook_endpoints/:id', ({ path }) => {
    const endpoint = ctx.require('webhookEndpoints', path.id);
    delete ctx.data.webhookEndpoints[endpoint.id];
    delete ctx.data.webhookSecrets[endpoint.id];
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  });

  api.post('/v1/test_helpers/test_clocks', ({ params }) => {
    const frozenTime = params.int('frozen_time');
    if (frozenTime === undefined)
      throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
    const clock = buildTestClock({
      id: newId('clock_1'),
      created: ctx.realNow(),
      frozenTime,
      name: params.string('name') ?? null,
    });
    ctx.data.testClocks[clock.id] = clock;
    ctx.emit('test_helpers.test_clock.created', clock, frozenTime);
    return clock;
  });
  api.get('/v1/test_helpers/test_clocks/:id', ({ path }) => ctx.require('testClocks', path.id));
  api.get('/v1/test_helpers/test_clocks', ({ params }) =>
    paginate(Object.values(ctx.data.testClocks).reverse(), params, '/v1/test_helpers/test_clocks'),
  );
  api.post('/v1/test_helpers/test_clocks/:id/advance', ({ params, path }) => {
    const clock = ctx.require('testClocks', path.id);
    const to = params.int('frozen_time');
    if (to === undefined)
      throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
    if (clock.status !== 'ready')
      throw invalidRequest(
        'The test clock is currently advancing; wait until it is ready.',
        undefined,
        'test_clock_not_ready',
      );
    if (to <= clock.frozen_time)
      throw invalidRequest(
        'Cannot advance the test clock to a time before or equal to its current frozen time.',
        'frozen_time',
      );
    const before = clone(clock);
    clock.status = 'advancing';
    clock.status_details = { advancing: { target_frozen_time: to } };
    ctx.emit(
      'test_helpers.test_clock.advancing',
      clock,
      clock.frozen_time,
      previousAttributes(before, clock),
    );
    clocks.advance(clock.id, to);
    return clock;
  });
  api.delete('/v1/test_helpers/test_clocks/:id', ({ path }) => {
    const clock = ctx.require('testClocks', path.id);
    for (const customer of Object.values(ctx.data.customers))
      if (idOf(customer.test_clock) === clock.id) {
        delete ctx.data.customers[customer.id];
        ctx.data.deletedCustomers[customer.id] = true;
      }
    for (const sub of Object.values(ctx.data.subscriptions))
      if (idOf(sub.test_clock) === clock.id && sub.status !== 'canceled') {
        sub.status = 'canceled';
        sub.ended_at = clock.frozen_time;
      }
    delete ctx.data.testClocks[clock.id];
    ctx.emit('test_helpers.test_clock.deleted', clock, clock.frozen_time);
    return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
  });
}
