using System.Diagnostics.Tracing;
using System.Globalization;
using static CrossMargin.Benchmarks.RuntimeEventPayload;

namespace CrossMargin.Benchmarks;

/// <summary>
/// Writes, per garbage collection, when each heap finished each mark phase and what it promoted there, and the
/// server GC's joins between heaps, all as milliseconds from the threads' suspension: the runtime's
/// <c>GCMarkWithType</c> (roots by kind: stack, finalize queue, handles, older generations through the card table,
/// overflow, dependent handles), <c>GCJoin</c> (verbose), <c>GCPerHeapHistory</c> and <c>GCGlobalHeapHistory</c> (the
/// gen0 budget set for the next collection) events. Enabled by
/// <c>CROSSMARGIN_GC_PHASES=path</c>: <see cref="GcPauseLog"/> says how long a pause was, this says where it went.
/// Verbose GC events include an allocation sample every ~100 KB, so a run with this log is not one to compare figures
/// with a run without it.
/// </summary>
internal sealed class GcPhaseLog : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private DateTime _gcStart;
    private string _count = "?";

    private GcPhaseLog(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _writer.WriteLine("gc# +ms_from_GCStart thread event fields");
    }

    /// <summary>Starts a log when <c>CROSSMARGIN_GC_PHASES</c> names a file; null otherwise.</summary>
    public static GcPhaseLog? StartFromEnvironment() =>
        Environment.GetEnvironmentVariable("CROSSMARGIN_GC_PHASES") is { Length: > 0 } path ? new GcPhaseLog(path) : null;

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
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
                    _lines.Clear();
                    _gcStart = e.TimeStamp;
                    Add(e, "suspend", "");
                    break;
                case "GCStart_V2":
                    _count = Field(e, "Count");
                    Add(e, "start", string.Create(CultureInfo.InvariantCulture, $"gen{Field(e, "Depth")} reason{Field(e, "Reason")}"));
                    break;
                case "GCMarkWithType":
                    Add(e, "mark", string.Create(CultureInfo.InvariantCulture,
                        $"h{Field(e, "HeapNum")} {Kind(Field(e, "Type"))} {Convert.ToUInt64(e.Payload![e.PayloadNames!.IndexOf("Bytes")], CultureInfo.InvariantCulture) / 1024}KiB"));
                    break;
                case "GCJoin_V2":
                    Add(e, "join", string.Create(CultureInfo.InvariantCulture,
                        $"h{Field(e, "Heap")} t{Field(e, "JoinTime")} ty{Field(e, "JoinType")} id{Field(e, "JoinID")}"));
                    break;
                case "GCPerHeapHistory_V3":
                    Add(e, "perheap", AllFields(e));
                    break;
                case "GCGlobalHeapHistory_V4":
                    // FinalYoungestDesired is the gen0 budget the collection set for the next one (all heaps).
                    Add(e, "global", AllFields(e));
                    break;
                case "GCEnd_V1":
                    Add(e, "end", "");
                    break;
                case "GCRestartEEEnd_V1":
                    Add(e, "restarted", "");
                    foreach (var line in _lines)
                    {
                        _writer.WriteLine(line);
                    }

                    _lines.Clear();
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

    private void Add(EventWrittenEventArgs e, string what, string fields) =>
        _lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{_count} {(e.TimeStamp - _gcStart).TotalMilliseconds:0.000} t{e.OSThreadId} {what} {fields}"));

    private static string AllFields(EventWrittenEventArgs e) =>
        string.Join(' ', (e.PayloadNames ?? []).Select((n, i) => n + "=" + Convert.ToString(e.Payload![i], CultureInfo.InvariantCulture)));

    private static string Kind(string type) => type switch
    {
        "0" => "stack",
        "1" => "finalize-queue",
        "2" => "handles",
        "3" => "older",
        "4" => "sizedref",
        "5" => "overflow",
        "6" => "dependent-handles",
        "7" => "new-finalize-queue",
        "8" => "steal",
        "9" => "bgc",
        _ => "type" + type,
    };
}
