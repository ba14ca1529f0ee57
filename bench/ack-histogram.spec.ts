import { addCounts, histogramCounts, shareOver10ms } from './ack-histogram';

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
tollgate_webhooks_record_seconds_bucket{le="0.01",service="webhooks"} 103
tollgate_webhooks_record_seconds_bucket{le="+Inf",service="webhooks"} 105
tollgate_webhooks_record_seconds_count{service="webhooks"} 105
tollgate_webhooks_publish_seconds_bucket{le="0.01",service="webhooks",source="webhook"} 98
tollgate_webhooks_publish_seconds_count{service="webhooks",source="webhook"} 100
tollgate_webhooks_publish_seconds_bucket{le="0.01",service="webhooks",source="relay"} 1
tollgate_webhooks_publish_seconds_count{service="webhooks",source="relay"} 1
tollgate_webhooks_received_total{service="webhooks"} 105
tollgate_http_request_duration_seconds_bucket{le="0.01",route="/health"} 7
tollgate_http_request_duration_seconds_count{route="/health"} 7`;

describe('histogramCounts', () => {
  it('sums the count and the 10 ms bucket of one histogram over its labels, and nothing else', () => {
    expect(histogramCounts(METRICS, 'webhooks_ack_seconds')).toEqual({ all: 105, within10ms: 99 });
    expect(histogramCounts(METRICS, 'webhooks_record_seconds')).toEqual({ all: 105, within10ms: 103 });
    expect(histogramCounts(METRICS, 'webhooks_publish_seconds')).toEqual({ all: 101, within10ms: 99 });
  });

  it('reads a histogram without labels', () => {
    const text = 'webhooks_record_seconds_bucket{le="0.01"} 2\nwebhooks_record_seconds_count 3\n';
    expect(histogramCounts(text, 'webhooks_record_seconds')).toEqual({ all: 3, within10ms: 2 });
  });

  it('reads nothing from a text without the histogram', () => {
    expect(
      histogramCounts('tollgate_webhooks_received_total{service="webhooks"} 3\n', 'webhooks_ack_seconds'),
    ).toEqual({
      all: 0,
      within10ms: 0,
    });
  });
});

describe('addCounts', () => {
  it("adds two replicas' readings", () => {
    expect(addCounts({ all: 10, within10ms: 9 }, { all: 5, within10ms: 5 })).toEqual({
      all: 15,
      within10ms: 14,
    });
  });
});

describe('shareOver10ms', () => {
  it('is the share of observations over 10 ms between two readings', () => {
    expect(shareOver10ms({ all: 100, within10ms: 90 }, { all: 1100, within10ms: 1080 })).toBeCloseTo(1, 10);
  });

  it('is NaN when nothing was observed in between', () => {
    expect(shareOver10ms({ all: 5, within10ms: 5 }, { all: 5, within10ms: 5 })).toBeNaN();
  });
});
