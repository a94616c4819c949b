using System.Globalization;
using CrossMargin.Node.Security;
using Serilog.Core;
using Serilog.Events;

namespace CrossMargin.Node.Logging;

/// <summary>A Serilog sink keeping the last <see cref="Capacity"/> events in memory, for <c>GET /api/v1/logs</c> (<c>cm log peek</c>).</summary>
public sealed class LogRingSink : ILogEventSink
{
    /// <summary>How many events are kept.</summary>
    public const int Capacity = 2_000;

    private readonly RecentRing<LogLine> _lines = new(Capacity);

    /// <inheritdoc/>
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var source = logEvent.Properties.TryGetValue("SourceContext", out var value) && value is ScalarValue { Value: string s } ? s : "";
        _lines.Add(new LogLine(logEvent.Timestamp, logEvent.Level.ToString(), source, logEvent.RenderMessage(CultureInfo.InvariantCulture),
            logEvent.Exception is { } e ? $"{e.GetType().Name}: {e.Message}" : null));
    }

    /// <summary>The newest <paramref name="count"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Last(int count) => _lines.Last(count);
}
