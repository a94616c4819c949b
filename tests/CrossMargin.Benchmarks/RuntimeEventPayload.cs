using System.Diagnostics.Tracing;
using System.Globalization;

namespace CrossMargin.Benchmarks;

/// <summary>Reads named fields of a runtime event's payload as text, for the GC logs (<see cref="GcPauseLog"/>, <see cref="GcPhaseLog"/>).</summary>
internal static class RuntimeEventPayload
{
    /// <summary>The field's value in invariant culture, or "?" when the event has no such field.</summary>
    public static string Field(EventWrittenEventArgs e, string name)
    {
        var i = e.PayloadNames?.IndexOf(name) ?? -1;
        return i < 0 ? "?" : Convert.ToString(e.Payload![i], CultureInfo.InvariantCulture) ?? "?";
    }

    /// <summary>A byte count field in KiB, or "?" when the event has no such field.</summary>
    public static string Kib(EventWrittenEventArgs e, string name)
    {
        var i = e.PayloadNames?.IndexOf(name) ?? -1;
        return i < 0 ? "?" : (Convert.ToUInt64(e.Payload![i], CultureInfo.InvariantCulture) / 1024).ToString(CultureInfo.InvariantCulture);
    }
}
