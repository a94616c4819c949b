using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The calculator behind each <see cref="MarginMode"/>; each carries the standard rules its file gives for isolated
/// positions. Standard and portfolio are always there; the further modes (SIMM-style, VaR, ES, composite) only when
/// the host configured them, so an engine built with two calculators still works and refuses the others by name.
/// </summary>
/// <param name="StandardCross">Calculator whose cross model is the standard one.</param>
/// <param name="Portfolio">Calculator whose cross model is portfolio margin.</param>
public sealed record AccountMarginModels(MarginCalculator StandardCross, MarginCalculator Portfolio)
{
    /// <summary>Calculator whose cross model is SIMM-style Greeks margin, or null when not configured.</summary>
    public MarginCalculator? Simm { get; init; }

    /// <summary>Calculator whose cross model is historical VaR, or null when not configured.</summary>
    public MarginCalculator? ValueAtRisk { get; init; }

    /// <summary>Calculator whose cross model is historical Expected Shortfall, or null when not configured.</summary>
    public MarginCalculator? ExpectedShortfall { get; init; }

    /// <summary>Calculator whose cross model is the max of several models, or null when not configured.</summary>
    public MarginCalculator? Composite { get; init; }

    /// <summary>The modes this engine can margin an account in, in <see cref="MarginMode"/> order.</summary>
    public IReadOnlyList<MarginMode> Modes => Enum.GetValues<MarginMode>().Where(Offers).ToArray();

    /// <summary>Whether <paramref name="mode"/> is a known mode with a calculator.</summary>
    public bool Offers(MarginMode mode) => Find(mode) is not null;

    /// <summary>The calculator of <paramref name="mode"/>; throws when the mode is unknown or not configured.</summary>
    public MarginCalculator For(MarginMode mode) => Find(mode) ?? (Enum.IsDefined(mode)
        ? throw new InvalidOperationException($"Margin mode {mode} has no calculator on this engine.")
        : throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown margin mode."));

    /// <summary>Assesses <paramref name="state"/> with the calculator of its mode.</summary>
    /// <remarks>
    /// An account still holding something in an instrument that has expired in <paramref name="market"/> (the venue has
    /// not settled it yet) is margined here, in <see cref="Figures"/> and in <see cref="Decided"/>, as if it had been
    /// settled at its index (<see cref="AccountState.SettledAtIndex"/>): the market no longer values it, and refusing to
    /// margin the account would freeze its figures and refuse every command until the settlement arrives.
    /// </remarks>
    public AccountMargin Assess(AccountState state, Risk.Market.MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(market);
        return For(state.Mode).Assess((state.SettledAtIndex(market) ?? state).ToPortfolio(), market);
    }

    /// <summary>
    /// The figures of <see cref="Assess"/> without the explanation, from the state's arrays as they are: what every
    /// change, mark and check uses; the explanation is only for <see cref="ExplainMargin"/>.
    /// </summary>
    /// <remarks>
    /// When the mode's calculator has a re-margin kernel that takes the state (<see cref="MarginBook.KernelFor"/>), the
    /// kernel computes them: the same figures to the last digit (a property test pins it), at about a third of the cost
    /// and a sixth of the allocation. Anything the kernel declines (an isolated position, a price the market lacks) goes
    /// to the calculator, which also reports its errors.
    /// </remarks>
    public MarginFigures Figures(AccountState state, Risk.Market.MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(market);
        var calculator = For(state.Mode);
        if (state.SettledAtIndex(market) is { } settled)
        {
            return calculator.Figures(settled.BalanceList, settled.PositionList, settled.OpenOrderList, market);
        }

        return TryKernel(state, market, calculator, out _, out _, out var tables, out var figures)
            ? figures.ToFigures(market, tables!.Model)
            : calculator.Figures(state.BalanceList, state.PositionList, state.OpenOrderList, market);
    }

    /// <summary>
    /// <see cref="Figures(AccountState, Risk.Market.MarketSnapshot)"/> as an account holds them (at the market's settlement
    /// prices), with the holdings the kernel compiled for them (null when no kernel takes them), so that an account
    /// adopting this state need neither margin nor compile it again. Figures the kernel computes make one object here,
    /// not two (the calculator's <see cref="MarginFigures"/> is not made for them).
    /// </summary>
    internal DecidedFigures Decided(AccountState state, Risk.Market.MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(market);
        var calculator = For(state.Mode);
        var settlement = SettlementPrices.For(market);
        if (state.SettledAtIndex(market) is { } settled)
        {
            // No kernel holdings: those would carry the expired holding's cash at this index into later passes; the
            // kernel declines the instrument the market no longer lists, so the account margins itself at each market.
            var provisional = calculator.Figures(settled.BalanceList, settled.PositionList, settled.OpenOrderList, market);
            return new DecidedFigures(MarginBookFigures.Of(provisional, settlement), provisional, null, null, null);
        }

        if (TryKernel(state, market, calculator, out var kernel, out var holdings, out var tables, out var figures))
        {
            var held = new MarginBookFigures(0, figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status,
                market.ValuationTime, settlement);
            return new DecidedFigures(held, null, tables!.Model, kernel, holdings);
        }

        var calculated = calculator.Figures(state.BalanceList, state.PositionList, state.OpenOrderList, market);
        return new DecidedFigures(MarginBookFigures.Of(calculated, settlement), calculated, null, kernel, holdings);
    }

    // The kernel's figures of the state when its calculator has a kernel that takes the state and computes them; the
    // holdings it compiled are handed back either way (null when it did not take them).
    private static bool TryKernel(AccountState state, Risk.Market.MarketSnapshot market, MarginCalculator calculator, out StandardCrossKernel? kernel,
        out CompiledHoldings? holdings, out StandardKernelMarket? tables, out KernelFigures figures)
    {
        (kernel, holdings, tables, figures) = (null, null, null, default);
        if (MarginBook.KernelFor(calculator) is not { } found)
        {
            return false;
        }

        // Computed from scratch double lines: the holdings keep none of their own, a store writes them straight into the
        // account's region (they used to be two arrays per change, copied there and dropped).
        var at = found.At(market);
        if (found.CompileAndCompute(state.BalanceList, state.PositionList, state.OpenOrderList, at, out var computed, out figures) is not { } compiled)
        {
            return false;
        }

        (kernel, holdings, tables) = (found, compiled, at);
        return computed;
    }

    private MarginCalculator? Find(MarginMode mode) => mode switch
    {
        MarginMode.StandardCross => StandardCross,
        MarginMode.Portfolio => Portfolio,
        MarginMode.Simm => Simm,
        MarginMode.ValueAtRisk => ValueAtRisk,
        MarginMode.ExpectedShortfall => ExpectedShortfall,
        MarginMode.Composite => Composite,
        _ => null,
    };
}
