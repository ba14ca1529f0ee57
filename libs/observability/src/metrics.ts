import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process, served at /metrics; metric names are prefixed `tollgate_`. */
export class Metrics {
  readonly registry = new Registry();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric(`tollgate_${name}`);
    if (existing) return existing as Counter<L>;
    return new Counter({ name: `tollgate_${name}`, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const existing = this.registry.getSingleMetric(`tollgate_${name}`);
    if (existing) return existing as Gauge<L>;
    return new Gauge({ name: `tollgate_${name}`, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  ): Histogram<L> {
    const existing = this.registry.getSingleMetric(`tollgate_${name}`);
    if (existing) return existing as Histogram<L>;
    return new Histogram({ name: `tollgate_${name}`, help, labelNames, buckets, registers: [this.registry] });
  }
}
