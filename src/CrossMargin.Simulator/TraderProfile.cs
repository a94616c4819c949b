namespace CrossMargin.Simulator;

/// <summary>The kinds of book the simulator gives its traders.</summary>
public enum TraderProfile
{
    /// <summary>Long BTC perpetual at 3-20x: the accounts a crash liquidates.</summary>
    LeveragedLong,

    /// <summary>Short ETH perpetual at 3-12x.</summary>
    LeveragedShort,

    /// <summary>Long the first listed dated future, short the perpetual: little net delta, little margin.</summary>
    CalendarSpread,

    /// <summary>Short BTC puts, delta-hedged with a short perpetual.</summary>
    OptionWriter,

    /// <summary>Long calls, paid in full.</summary>
    OptionBuyer,

    /// <summary>Takes the other side of every trade; deep collateral. The natural auto-deleverage candidates.</summary>
    MarketMaker,
}
