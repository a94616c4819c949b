using System.Diagnostics.Metrics;
using CrossMargin.Node.Metrics;

namespace CrossMargin.Node.Tests.Metrics;

public sealed class PrometheusExporterTests : IDisposable
{
    // A meter name per test instance: listeners are process-wide, so tests must not see each other's instruments.
    private readonly Meter _meter = new("CrossMargin.Test." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests() => _exporter = new PrometheusExporter(_meter.Name);

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Counters_are_summed_per_label_set_and_named_with_total()
    {
        var rejects = _meter.CreateCounter<long>("crossmargin.rejects", description: "Messages rejected");
        rejects.Add(1, new KeyValuePair<string, object?>("reason", "OutOfOrder"));
        rejects.Add(2, new KeyValuePair<string, object?>("reason", "OutOfOrder"));
        rejects.Add(1, new KeyValuePair<string, object?>("reason", "InvalidPrice"));

        var text = _exporter.Render();

        Assert.Contains("# HELP crossmargin_rejects_total Messages rejected\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE crossmargin_rejects_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejects_total{reason=\"OutOfOrder\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejects_total{reason=\"InvalidPrice\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_sum_and_count()
    {
        var latency = _meter.CreateHistogram<double>("crossmargin.latency", "ms", "Latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10] });
        foreach (var value in new[] { 0.5, 2, 3, 7, 50 })
        {
            latency.Record(value);
        }

        var text = _exporter.Render();

        Assert.Contains("# TYPE crossmargin_latency histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_bucket{le=\"1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_bucket{le=\"5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_bucket{le=\"10\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_bucket{le=\"+Inf\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_sum 62.5\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_latency_count 5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_gauges_report_their_value_at_scrape_time()
    {
        var depth = 7;
        _meter.CreateObservableGauge("crossmargin.queue.depth", () => depth);

        var first = _exporter.Render();
        depth = 3;
        var second = _exporter.Render();

        Assert.Contains("crossmargin_queue_depth 7\n", first, StringComparison.Ordinal);
        Assert.Contains("crossmargin_queue_depth 3\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        var counter = _meter.CreateCounter<long>("crossmargin.odd");
        counter.Add(1, new KeyValuePair<string, object?>("why", "a \"quoted\" back\\slash\nline"));

        Assert.Contains("crossmargin_odd_total{why=\"a \\\"quoted\\\" back\\\\slash\\nline\"} 1\n", _exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_nodes_refused_plan_writes_are_exported_as_a_counter_summed_over_its_tracked_nodes()
    {
        using var exporter = new PrometheusExporter(NodeMetrics.MeterName);
        object first = new(), second = new();
        ClusterMetrics.TrackRefusedPlanWrites(first, () => 2);
        ClusterMetrics.TrackRefusedPlanWrites(second, () => 1);
        try
        {
            var text = exporter.Render();

            Assert.Contains("# TYPE crossmargin_cluster_refused_plan_writes_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("crossmargin_cluster_refused_plan_writes_total 3\n", text, StringComparison.Ordinal);
            ClusterMetrics.UntrackRefusedPlanWrites(second);
            Assert.Contains("crossmargin_cluster_refused_plan_writes_total 2\n", exporter.Render(), StringComparison.Ordinal);
        }
        finally
        {
            ClusterMetrics.UntrackRefusedPlanWrites(first);
            ClusterMetrics.UntrackRefusedPlanWrites(second);
        }
    }

    [Fact]
    public void Meters_outside_the_prefix_are_not_exported()
    {
        using var other = new Meter("Other.Meter." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("other.count").Add(5);

        Assert.DoesNotContain("other_count", _exporter.Render(), StringComparison.Ordinal);
    }
}
