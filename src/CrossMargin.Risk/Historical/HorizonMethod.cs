namespace CrossMargin.Risk.Historical;

/// <summary>How one-day returns become returns over the horizon.</summary>
public enum HorizonMethod
{
    /// <summary>Each one-day return times sqrt(horizon days): one scenario per day of the lookback.</summary>
    SquareRootOfTime,

    /// <summary>Sums of horizon-many consecutive one-day log returns, each day starting a window: lookback - horizon + 1 scenarios.</summary>
    OverlappingWindows,
}
