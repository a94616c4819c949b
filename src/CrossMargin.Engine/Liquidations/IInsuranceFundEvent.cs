namespace CrossMargin.Engine.Liquidations;

/// <summary>A fact in the insurance fund's journal, keyed by the request that caused it (its deduplication key).</summary>
public interface IInsuranceFundEvent
{
    /// <summary>The id of the request that caused it.</summary>
    string RequestId { get; }

    /// <summary>When, by the actor system's clock.</summary>
    DateTimeOffset Time { get; }
}
