using System.Diagnostics.Tracing;
using System.Globalization;
using static CrossMargin.Benchmarks.RuntimeEventPayload;

namespace CrossMargin.Benchmarks;

/// <summary>
/// Writes one line per garbage collection, from the runtime's own GC events: generation, reason, how long the
/// threads took to stop (suspension), the collection itself, the whole pause, and what survived. Enabled by
/// <c>CROSSMARGIN_GC_LOG=path</c>; a pause that the totals of <see cref="GC.GetTotalPauseDuration"/> only sum up can
/// then be told apart: threads slow to reach a safe point, or a collection with much to mark or copy.
/// </summary>
internal sealed class GcPauseLog : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();
    private DateTime _suspendBegin;
    private DateTime _suspendEnd;
    private DateTime _gcStart;
    private DateTime _gcEnd;
    private string _start = "";
    private string _heap = "";
    private bool _collectedSinceSuspend;

    private GcPauseLog(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _writer.WriteLine("gc# gen reason type @suspended_at_utc | suspend_ms gc_ms pause_ms | promoted0/1/2 KiB | gen0/1/2/loh/poh after KiB | pinned handles");
    }

    /// <summary>Starts a log when <c>CROSSMARGIN_GC_LOG</c> names a file; null otherwise.</summary>
    public static GcPauseLog? StartFromEnvironment() =>
        Environment.GetEnvironmentVariable("CROSSMARGIN_GC_LOG") is { Length: > 0 } path ? new GcPauseLog(path) : null;

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventName)
            {
                case "GCSuspendEEBegin_V1":
                    _suspendBegin = e.TimeStamp;
                    _collectedSinceSuspend = false;
                    break;
                case "GCSuspendEEEnd_V1":
                    _suspendEnd = e.TimeStamp;
                    break;
                case "GCStart_V2":
                    _gcStart = e.TimeStamp;
                    _collectedSinceSuspend = true;
                    _start = string.Create(CultureInfo.InvariantCulture, $"{Field(e, "Count")} {Field(e, "Depth")} {Field(e, "Reason")} {Field(e, "Type")}");
                    break;
                case "GCEnd_V1":
                    _gcEnd = e.TimeStamp;
                    break;
                case "GCHeapStats_V2":
                    _heap = string.Create(CultureInfo.InvariantCulture,
                        $"{Kib(e, "TotalPromotedSize0")}/{Kib(e, "TotalPromotedSize1")}/{Kib(e, "TotalPromotedSize2")} | "
                        + $"{Kib(e, "GenerationSize0")}/{Kib(e, "GenerationSize1")}/{Kib(e, "GenerationSize2")}/{Kib(e, "GenerationSize3")}/{Kib(e, "GenerationSize4")} | "
                        + $"{Field(e, "PinnedObjectCount")} {Field(e, "GCHandleCount")}");
                    break;
                case "GCRestartEEEnd_V1":
                    // A background GC stops the threads more than once without starting a new collection: those
                    // pauses are logged as such, under the number of the collection they belong to.
                    _writer.WriteLine(_collectedSinceSuspend
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"{_start} @{_suspendBegin:HH:mm:ss.ffffff} | {Ms(_suspendBegin, _suspendEnd)} {Ms(_gcStart, _gcEnd)} {Ms(_suspendBegin, e.TimeStamp)} | {_heap}")
                        : string.Create(CultureInfo.InvariantCulture,
                            $"{_start} (background phase) | {Ms(_suspendBegin, _suspendEnd)} - {Ms(_suspendBegin, e.TimeStamp)} |"));
                    _heap = "";
                    break;
                default:
                    break;
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _writer.Dispose();
    }

    private static string Ms(DateTime from, DateTime to) =>
        from == default || to < from ? "-" : (to - from).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);
}
