namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>Which way a scenario shocks implied volatility.</summary>
public enum VolShockDirection
{
    /// <summary>Volatility unchanged.</summary>
    None,

    /// <summary>Volatility shocked up.</summary>
    Up,

    /// <summary>Volatility shocked down.</summary>
    Down,
}
