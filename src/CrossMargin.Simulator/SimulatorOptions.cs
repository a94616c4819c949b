using System.Globalization;

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

    /// <summary>
    /// Every setting out of range, named as in the configuration (empty when all are sound). Checked only when the
    /// simulator is on: a node serving a real venue does not refuse to start over a simulator setting.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }

        void Check(bool sound, FormattableString error)
        {
            if (!sound)
            {
                errors.Add("Simulator:" + error.ToString(CultureInfo.InvariantCulture));
            }
        }

        Check(Traders is >= 1 and <= 100_000, $"Traders must be from 1 to 100,000, not {Traders}.");
        Check(MarketMakers is >= 1 and <= 100, $"MarketMakers must be from 1 to 100, not {MarketMakers}.");
        Check(TickInterval > TimeSpan.Zero && TickInterval <= TimeSpan.FromMinutes(1), $"TickInterval must be more than zero and at most 00:01:00, not {TickInterval}.");
        Check(TradesPerTick is >= 0 and <= 10_000, $"TradesPerTick must be from 0 to 10,000, not {TradesPerTick}.");
        Check(double.IsFinite(AnnualVolatility) && AnnualVolatility is >= 0 and <= 10, $"AnnualVolatility must be from 0 to 10, not {AnnualVolatility}.");
        Check(double.IsFinite(JumpsPerHour) && JumpsPerHour is >= 0 and <= 3_600, $"JumpsPerHour must be from 0 to 3,600, not {JumpsPerHour}.");
        Check(double.IsFinite(JumpSize) && JumpSize is >= 0 and <= 1, $"JumpSize must be from 0 to 1, not {JumpSize}.");
        Check(CrashAfter is null || CrashAfter >= TimeSpan.Zero, $"CrashAfter must be zero or more (or absent for no crash), not {CrashAfter}.");
        Check(CrashDuration > TimeSpan.Zero, $"CrashDuration must be more than zero, not {CrashDuration}.");
        foreach (var (underlying, move) in CrashMoves)
        {
            // A fall of 100% or more would take the index to zero or below, which no price feed accepts.
            Check(double.IsFinite(move) && move > -1 && move <= 10, $"CrashMoves:{underlying} must be more than -1 and at most 10, not {move}.");
        }

        Check(InsuranceFundSeed >= 0, $"InsuranceFundSeed must be zero or more, not {InsuranceFundSeed}.");
        Check(double.IsFinite(LiquidationSlippage) && LiquidationSlippage is >= 0 and < 1, $"LiquidationSlippage must be from 0 to less than 1, not {LiquidationSlippage}.");
        return errors;
    }
}
