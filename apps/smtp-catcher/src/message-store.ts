/** What the catcher keeps of one message; `GET /api/messages` answers a list of these (docs/notifications.md). */
export interface CaughtMessage {
  id: string;
  /** The From header as written, e.g. `Billing <billing@tollgate.local>` (the envelope sender if absent). */
  from: string;
  /** The envelope recipients (RCPT TO), bare addresses: who the message was actually delivered to. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** When the catcher received it (ISO 8601). */
  date: string;
  /** The Message-ID header, or null when the sender set none. */
  messageId: string | null;
  /** Every header, lower-cased name → first value. */
  headers: Record<string, string>;
  envelope: { from: string | null; to: string[] };
}

/** Messages newest first, bounded so a long local run cannot grow without limit (oldest are dropped). */
export class MessageStore {
  private items: CaughtMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  add(message: CaughtMessage): void {
    this.items.unshift(message);
    if (this.items.length > this.capacity) this.items.length = this.capacity;
  }

  list(filter: { to?: string } = {}): CaughtMessage[] {
    const to = filter.to?.toLowerCase();
    return to ? this.items.filter((m) => m.to.some((r) => r.toLowerCase() === to)) : [...this.items];
  }

  get(id: string): CaughtMessage | undefined {
    return this.items.find((m) => m.id === id);
  }

  clear(): void {
    this.items = [];
  }
}
