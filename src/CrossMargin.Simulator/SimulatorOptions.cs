namespace CrossMargin.Simulator;

/// <summary>The market simulator (config/simulator.json, section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Simulator";

    /// <summary>Whether the node starts the simulator (turn off for a real venue: <c>--Simulator:Enabled=false</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seed of every random choice: the same seed replays the same session.</summary>
    public int Seed { get; set; } = 20261121;

    /// <summary>Simulated traders (market makers are added on top).</summary>
    public int Traders { get; set; } = 200;

    /// <summary>Market makers taking the other side of every trade (they are the natural auto-deleverage candidates).</summary>
    public int MarketMakers { get; set; } = 4;

    /// <summary>Time between price ticks.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Trades sent per tick, spread over random traders.</summary>
    public int TradesPerTick { get; set; } = 4;

    /// <summary>Annualised volatility of the random walk.</summary>
    public double AnnualVolatility { get; set; } = 0.8;

    /// <summary>Expected jumps per hour.</summary>
    public double JumpsPerHour { get; set; } = 6;

    /// <summary>Standard deviation of a jump's log size.</summary>
    public double JumpSize { get; set; } = 0.01;

    /// <summary>When the scripted crash starts after the simulator does; null for no crash.</summary>
    public TimeSpan? CrashAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the crash takes to play out.</summary>
    public TimeSpan CrashDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The crash's move per underlying as a fraction (BTC = -0.30 is a 30% fall).</summary>
    public Dictionary<string, double> CrashMoves { get; set; } = new(StringComparer.Ordinal) { ["BTC"] = -0.30, ["ETH"] = -0.35 };

    /// <summary>What the simulator pays into the insurance fund at start (once: the deposit's id is fixed).</summary>
    public decimal InsuranceFundSeed { get; set; } = 25_000m;

    /// <summary>Slippage of a liquidation fill from the mark, as a fraction, bounded by the order's limit price.</summary>
    public double LiquidationSlippage { get; set; } = 0.002;
}
