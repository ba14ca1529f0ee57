import { ackCounts, shareOver10ms } from './ack-histogram';

const METRICS = `# HELP tollgate_webhooks_ack_seconds Time from receiving a webhook to answering it
# TYPE tollgate_webhooks_ack_seconds histogram
tollgate_webhooks_ack_seconds_bucket{le="0.005",service="webhooks",outcome="published"} 80
tollgate_webhooks_ack_seconds_bucket{le="0.01",service="webhooks",outcome="published"} 95
tollgate_webhooks_ack_seconds_bucket{le="0.025",service="webhooks",outcome="published"} 99
tollgate_webhooks_ack_seconds_bucket{le="+Inf",service="webhooks",outcome="published"} 100
tollgate_webhooks_ack_seconds_sum{service="webhooks",outcome="published"} 0.7
tollgate_webhooks_ack_seconds_count{service="webhooks",outcome="published"} 100
tollgate_webhooks_ack_seconds_bucket{le="0.01",service="webhooks",outcome="duplicate"} 4
tollgate_webhooks_ack_seconds_bucket{le="+Inf",service="webhooks",outcome="duplicate"} 5
tollgate_webhooks_ack_seconds_count{service="webhooks",outcome="duplicate"} 5
tollgate_webhooks_received_total{service="webhooks"} 105
tollgate_http_request_duration_seconds_bucket{le="0.01",route="/health"} 7
tollgate_http_request_duration_seconds_count{route="/health"} 7`;

describe('ackCounts', () => {
  it('sums the count and the 10 ms bucket over outcomes, and nothing else', () => {
    expect(ackCounts(METRICS)).toEqual({ all: 105, within10ms: 99 });
  });

  it('reads nothing from a text without the histogram', () => {
    expect(ackCounts('tollgate_webhooks_received_total{service="webhooks"} 3\n')).toEqual({
      all: 0,
      within10ms: 0,
    });
  });
});

describe('shareOver10ms', () => {
  it('is the share of answers over 10 ms between two readings', () => {
    expect(shareOver10ms({ all: 100, within10ms: 90 }, { all: 1100, within10ms: 1080 })).toBeCloseTo(1, 10);
  });

  it('is NaN when nothing was answered in between', () => {
    expect(shareOver10ms({ all: 5, within10ms: 5 }, { all: 5, within10ms: 5 })).toBeNaN();
  });
});
