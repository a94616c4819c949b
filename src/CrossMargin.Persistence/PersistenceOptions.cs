namespace CrossMargin.Persistence;

/// <summary>Snapshot policy of persistent actors, bound from the <c>Persistence</c> configuration section.</summary>
public sealed class PersistenceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Persistence";

    /// <summary>Take a snapshot after this many events since the last one; 0 turns automatic snapshots off.</summary>
    public int SnapshotEvery { get; set; } = 1000;

    /// <summary>After a snapshot is saved, delete the events and older snapshots it covers.</summary>
    public bool DeleteEventsOnSnapshot { get; set; }
}
