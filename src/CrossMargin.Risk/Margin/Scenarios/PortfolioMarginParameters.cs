using System.Collections.Frozen;
using CrossMargin.Risk.Market;

namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// Parameters of scenario-based portfolio margin: the risk array's rows, each underlying's range and vol shocks
/// (looked up by name, then under "*"), offsets between correlated underlyings, and how MM follows from IM.
/// Enough to express CME SPAN's 16-row array and Deribit's portfolio margin with their own numbers
/// (config/risk/span.json, config/risk/deribit-pm.json).
/// </summary>
public sealed class PortfolioMarginParameters
{
    /// <summary>The key of the parameters used for underlyings not named.</summary>
    public const string DefaultKey = "*";

    private readonly FrozenDictionary<string, UnderlyingRiskParameters> _underlyings;

    /// <summary>Creates and checks the parameters.</summary>
    /// <param name="scenarios">The rows of the risk array, in order.</param>
    /// <param name="underlyings">Per-underlying parameters; "*" is the fallback.</param>
    /// <param name="maintenanceFactor">MM = factor x IM of the positions (Deribit 0.8).</param>
    /// <param name="lookAheadDays">Time the options are aged by in every scenario (SPAN: one trading day).</param>
    /// <param name="volatilityDynamics">How vols move with the underlying.</param>
    /// <param name="gainFactor">
    /// Fraction of an underlying's scenario gain that may offset another underlying's loss (Deribit's pnl_offset);
    /// 1 counts gains in full.
    /// </param>
    /// <param name="offsets">Credits between correlated underlyings.</param>
    public PortfolioMarginParameters(
        IReadOnlyList<Scenario> scenarios,
        IReadOnlyDictionary<string, UnderlyingRiskParameters> underlyings,
        double maintenanceFactor,
        double lookAheadDays = 0,
        VolatilityDynamics volatilityDynamics = VolatilityDynamics.StickyStrike,
        double gainFactor = 1,
        IReadOnlyList<CorrelationOffset>? offsets = null)
    {
        if (scenarios.Count == 0)
        {
            throw new ArgumentException("At least one scenario is needed.", nameof(scenarios));
        }

        foreach (var s in scenarios)
        {
            if (!(s.Weight > 0 && s.Weight <= 1) || !double.IsFinite(s.Move) || (s.Move <= -1 && s.Unit == MoveUnit.Absolute))
            {
                throw new ArgumentOutOfRangeException(nameof(scenarios), $"Scenario {s.Label}: weight must be in (0, 1] and an absolute move above -100%.");
            }
        }

        foreach (var (name, u) in underlyings)
        {
            if (!(u.PriceRange > 0 && u.PriceRange < 1) || u.ShortOptionMinimum < 0 || u.AnnualisedMoveRisk < 0 || u.MinAnnualisedMove < 0
                || u.VolShock.Up < 0 || u.VolShock.Down < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(underlyings), $"Underlying {name}: price range must be in (0, 1) and shocks, minimums and roll rates not negative.");
            }

            var worstDown = scenarios.Min(s => s.FractionFor(u.PriceRange));
            if (worstDown <= -1)
            {
                throw new ArgumentOutOfRangeException(nameof(underlyings), $"Underlying {name}: a scenario moves the price by {worstDown:P0}, to zero or below.");
            }
        }

        if (!underlyings.ContainsKey(DefaultKey))
        {
            throw new ArgumentException("Underlying parameters need a default under \"*\".", nameof(underlyings));
        }

        if (!(maintenanceFactor > 0 && maintenanceFactor <= 1) || lookAheadDays < 0 || !(gainFactor >= 0 && gainFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maintenanceFactor), "Need 0 < maintenance factor <= 1, look-ahead >= 0, 0 <= gain factor <= 1.");
        }

        var grouped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var offset in offsets ?? [])
        {
            if (offset.Underlyings.Count < 2 || !(offset.CreditRate >= 0 && offset.CreditRate <= 1) || !offset.Underlyings.All(grouped.Add))
            {
                throw new ArgumentException("An offset needs two or more underlyings not in another offset, and a credit rate in [0, 1].", nameof(offsets));
            }
        }

        Scenarios = scenarios;
        _underlyings = underlyings.ToFrozenDictionary(StringComparer.Ordinal);
        MaintenanceFactor = maintenanceFactor;
        LookAheadDays = lookAheadDays;
        VolatilityDynamics = volatilityDynamics;
        GainFactor = gainFactor;
        Offsets = offsets ?? [];
    }

    /// <summary>The risk array's rows.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; }

    /// <summary>Per-underlying parameters by name.</summary>
    public IReadOnlyDictionary<string, UnderlyingRiskParameters> Underlyings => _underlyings;

    /// <summary>MM = factor x IM.</summary>
    public double MaintenanceFactor { get; }

    /// <summary>Days options are aged by in the scenarios.</summary>
    public double LookAheadDays { get; }

    /// <summary>How vols move with the underlying.</summary>
    public VolatilityDynamics VolatilityDynamics { get; }

    /// <summary>Fraction of a scenario gain that offsets another underlying's loss.</summary>
    public double GainFactor { get; }

    /// <summary>Credits between correlated underlyings.</summary>
    public IReadOnlyList<CorrelationOffset> Offsets { get; }

    /// <summary>The parameters of <paramref name="underlying"/>.</summary>
    public UnderlyingRiskParameters For(string underlying) => _underlyings.GetValueOrDefault(underlying) ?? _underlyings[DefaultKey];
}
