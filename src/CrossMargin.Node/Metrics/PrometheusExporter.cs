using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace CrossMargin.Node.Metrics;

/// <summary>
/// Listens to every <see cref="Meter"/> whose name starts with one of the given prefixes and renders what it measured
/// in Prometheus' text exposition format (version 0.0.4): counters as <c>_total</c>, up-down counters and observable
/// gauges as gauges, histograms with cumulative buckets, <c>_sum</c> and <c>_count</c>.
/// </summary>
/// <remarks>
/// The engine measures through <see cref="System.Diagnostics.Metrics"/> (the instrumentation API .NET, ASP.NET Core
/// and Npgsql share), so it knows nothing of Prometheus; this exporter is the only place that does. Histogram buckets
/// come from the instrument's advice, else from <see cref="DefaultBuckets"/> (milliseconds, fitted to the latencies
/// an engine cares about).
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Bucket bounds used when a histogram gives no advice.</summary>
    public static readonly IReadOnlyList<double> DefaultBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly string[] _prefixes;

    /// <summary>Starts listening to meters named with any of <paramref name="meterPrefixes"/>.</summary>
    public PrometheusExporter(params string[] meterPrefixes)
    {
        ArgumentNullException.ThrowIfNull(meterPrefixes);
        _prefixes = meterPrefixes;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Array.Exists(_prefixes, p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                _instruments.TryAdd(instrument, new InstrumentSeries(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentSeries? _);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
    }

    /// <summary>Collects the observable instruments and renders everything measured so far.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(text);
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    private sealed class InstrumentSeries
    {
        private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);
        private readonly double[]? _buckets;
        private readonly string _kind;
        private readonly string _help;
        private readonly bool _observed;

        public InstrumentSeries(Instrument instrument)
        {
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _observed = instrument.IsObservable;
            _kind = generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? "counter"
                : generic == typeof(Histogram<>) ? "histogram"
                : "gauge";
            Name = Sanitize(instrument.Name) + (_kind == "counter" ? "_total" : "");
            _help = (instrument.Description ?? instrument.Name) + (instrument.Unit is { Length: > 0 } u ? $" ({u})" : "");
            if (_kind == "histogram")
            {
                _buckets = [.. (Advice(instrument) ?? DefaultBuckets).Order()];
            }
        }

        public string Name { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var cell = _cells.GetOrAdd(Labels(tags), static (_, b) => new Cell(b), _buckets);
            lock (cell)
            {
                if (_buckets is not null)
                {
                    cell.Count++;
                    cell.Value += value;
                    var i = Array.FindIndex(_buckets, b => value <= b);
                    if (i >= 0)
                    {
                        cell.Buckets![i]++;
                    }
                }
                else if (_observed)
                {
                    // An observable instrument reports its current value (a gauge) or running total (a counter).
                    cell.Value = value;
                }
                else
                {
                    cell.Value += value;
                }
            }
        }

        public void WriteTo(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind).Append('\n');
            foreach (var (labels, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (_buckets is null)
                    {
                        Line(text, Name, labels, cell.Value);
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        cumulative += cell.Buckets![i];
                        Line(text, Name + "_bucket", Join(labels, $"le=\"{Number(_buckets[i])}\""), cumulative);
                    }

                    Line(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), cell.Count);
                    Line(text, Name + "_sum", labels, cell.Value);
                    Line(text, Name + "_count", labels, cell.Count);
                }
            }
        }

        private static IReadOnlyList<double>? Advice(Instrument instrument) => instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Number(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var pairs = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
            {
                var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                pairs.Add(Sanitize(key) + "=\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                var c = chars[i];
                if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':') || (i == 0 && char.IsAsciiDigit(c)))
                {
                    chars[i] = '_';
                }
            }

            return new string(chars);
        }
    }

    private sealed class Cell(double[]? buckets)
    {
        public double Value { get; set; }

        public long Count { get; set; }

        public long[]? Buckets { get; } = buckets is null ? null : new long[buckets.Length];
    }
}
