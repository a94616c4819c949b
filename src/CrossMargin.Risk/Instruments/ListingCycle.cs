namespace CrossMargin.Risk.Instruments;

/// <summary>The expiries a <see cref="ListingSchedule"/> lists: the last Friday of a month at 08:00 UTC.</summary>
public enum ListingCycle
{
    /// <summary>Every month's last Friday.</summary>
    Monthly,

    /// <summary>The last Friday of March, June, September and December.</summary>
    Quarterly,
}
