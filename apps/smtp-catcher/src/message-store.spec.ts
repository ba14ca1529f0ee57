import { MessageStore, type CaughtMessage } from './message-store';

const message = (overrides: Partial<CaughtMessage> = {}): CaughtMessage => ({
  id: 'm1',
  from: 'Billing <billing@tollgate.local>',
  to: ['owner@acme.test'],
  subject: 'Hello',
  text: 'hi',
  html: '<p>hi</p>',
  date: '2026-01-01T00:00:00.000Z',
  messageId: '<m1@tollgate.local>',
  headers: {},
  envelope: { from: 'billing@tollgate.local', to: ['owner@acme.test'] },
  ...overrides,
});

describe('MessageStore', () => {
  it('lists newest first', () => {
    const store = new MessageStore();
    store.add(message({ id: 'a' }));
    store.add(message({ id: 'b' }));
    expect(store.list().map((m) => m.id)).toEqual(['b', 'a']);
  });

  it('drops the oldest message beyond its capacity', () => {
    const store = new MessageStore(2);
    for (const id of ['a', 'b', 'c']) store.add(message({ id }));
    expect(store.list().map((m) => m.id)).toEqual(['c', 'b']);
  });

  it('filters by recipient, ignoring case', () => {
    const store = new MessageStore();
    store.add(message({ id: 'a', to: ['Owner@Acme.test'] }));
    store.add(message({ id: 'b', to: ['other@acme.test'] }));
    expect(store.list({ to: 'owner@acme.TEST' }).map((m) => m.id)).toEqual(['a']);
  });

  it('finds by id and empties on clear', () => {
    const store = new MessageStore();
    store.add(message({ id: 'a' }));
    expect(store.get('a')?.subject).toBe('Hello');
    store.clear();
    expect(store.list()).toEqual([]);
    expect(store.get('a')).toBeUndefined();
  });
});
