using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence;

/// <summary>
/// Persistence's gauges, on one <see cref="Meter"/> named <see cref="MeterName"/>: how much every live
/// <see cref="BatchingJournalWriter"/> has waiting and how much it is committing, tagged <c>writer</c> with the
/// writer's <see cref="BatchingJournalWriter.Name"/> (writers sharing a name are added up).
/// </summary>
/// <remarks>
/// Observable gauges cost nothing between scrapes: the writers keep counts they need anyway, and the gauges read
/// them only when a listener collects. A writer is observed from its construction to its disposal; the registry holds
/// it weakly, so one never disposed does not outlive its last reference here.
/// </remarks>
public static class PersistenceMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CrossMargin.Persistence";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConditionalWeakTable<BatchingJournalWriter, object> Writers = [];
    private static readonly object Registered = new();

    /// <summary>Appends queued for a writer, not yet taken into a batch: back-pressure builds here when the store is slow.</summary>
    public static ObservableGauge<long> PendingAppends { get; } = Meter.CreateObservableGauge("crossmargin.journal.pending_appends",
        () => Observe(w => w.PendingAppends), "{append}", "Appends queued for the journal writer, not yet in a batch");

    /// <summary>Appends in the batches a writer has sent to the store and not yet seen committed.</summary>
    public static ObservableGauge<long> InFlightAppends { get; } = Meter.CreateObservableGauge("crossmargin.journal.inflight_appends",
        () => Observe(w => w.InFlightAppends), "{append}", "Appends in the journal batches being committed");

    internal static void Register(BatchingJournalWriter writer) => Writers.AddOrUpdate(writer, Registered);

    internal static void Unregister(BatchingJournalWriter writer) => Writers.Remove(writer);

    private static List<Measurement<long>> Observe(Func<BatchingJournalWriter, long> read)
    {
        var byName = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (writer, _) in Writers)
        {
            byName[writer.Name] = byName.GetValueOrDefault(writer.Name) + read(writer);
        }

        return byName.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("writer", p.Key))).ToList();
    }
}
