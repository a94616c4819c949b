using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>The calculator behind each <see cref="MarginMode"/>; both share the standard rules for isolated positions.</summary>
/// <param name="StandardCross">Calculator whose cross model is the standard one.</param>
/// <param name="Portfolio">Calculator whose cross model is portfolio margin.</param>
public sealed record AccountMarginModels(MarginCalculator StandardCross, MarginCalculator Portfolio)
{
    /// <summary>The calculator of <paramref name="mode"/>.</summary>
    public MarginCalculator For(MarginMode mode) => mode switch
    {
        MarginMode.StandardCross => StandardCross,
        MarginMode.Portfolio => Portfolio,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown margin mode."),
    };

    /// <summary>Assesses <paramref name="state"/> with the calculator of its mode.</summary>
    public AccountMargin Assess(AccountState state, Risk.Market.MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(state);
        return For(state.Mode).Assess(state.ToPortfolio(), market);
    }
}
