/**
 * Which Stripe event types are published downstream. A pattern is an exact type (`invoice.paid`), a prefix
 * family (`invoice.*`, which also covers `invoice.payment.failed`-style deeper types), or `*` for all.
 */
export class EventAllowlist {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private everything = false;

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (pattern === '*') this.everything = true;
      else if (pattern.endsWith('.*')) this.prefixes.push(pattern.slice(0, -1));
      else this.exact.add(pattern);
    }
  }

  allows(type: string): boolean {
    return this.everything || this.exact.has(type) || this.prefixes.some((prefix) => type.startsWith(prefix));
  }
}
