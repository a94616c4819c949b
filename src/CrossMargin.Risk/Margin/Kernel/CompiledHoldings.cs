using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// One account's cross pool as <see cref="StandardCrossKernel"/> reads it: the account's own balance and position arrays
/// (shared, never copied) with the dense index of each asset and instrument, the symbols that only open orders reach,
/// and each line's buy and sell order quantities. Made once per change of the account by
/// <see cref="StandardCrossKernel.Compile"/>, then read on every market move without a dictionary lookup. Immutable,
/// except that a <see cref="HoldingsStore"/> that copies its double lines and balances takes them over
/// (<see cref="InStore"/>).
/// </summary>
public sealed class CompiledHoldings
{
    private FastBalance[]? _fastBalances;
    private FastLine[]? _fastLines;

    internal CompiledHoldings(
        CollateralBalance[] balances, Position[] positions, int[]? orderOnlyInstruments,
        decimal[]? buys, decimal[]? sells, FastBalance[]? fastBalances, FastLine[]? fastLines, FastOrders[]? fastOrders)
    {
        _fastBalances = fastBalances;
        _fastLines = fastLines;
        PositionCount = positions.Length;
        FastOrders = fastOrders;
        Balances = balances;
        Positions = positions;
        OrderOnlyInstruments = orderOnlyInstruments;
        Buys = buys;
        Sells = sells;
    }

    /// <summary>
    /// Whether a <see cref="HoldingsStore"/> took the double lines and balances over: from then on only the store's
    /// copy exists (the account keeping its own as well cost ~150 B per account), so these holdings are computed
    /// through the store (<see cref="StandardCrossKernel.TryCompute(HoldingsStore, in HoldingsRegion, CompiledHoldings, StandardKernelMarket, out KernelFigures)"/>).
    /// </summary>
    /// <remarks>Also true from the start for holdings compiled without them (<see cref="StandardCrossKernel.CompileAndCompute"/>).</remarks>
    public bool InStore => _fastLines is null;

    /// <summary>The balances in the account's order.</summary>
    internal CollateralBalance[] Balances { get; }

    /// <summary>Every position in the account's order, zero quantities included (they must still be listed).</summary>
    internal Position[] Positions { get; }

    /// <summary>Instruments reached only by open orders, in the order of their first order; null without any.</summary>
    internal int[]? OrderOnlyInstruments { get; }

    /// <summary>Buy order quantity per position, then per order-only instrument; null without open orders.</summary>
    internal decimal[]? Buys { get; }

    /// <summary>Sell order quantity per position, then per order-only instrument; null without open orders.</summary>
    internal decimal[]? Sells { get; }

    /// <summary>The balances in doubles, in the same order.</summary>
    internal FastBalance[] FastBalances => _fastBalances ?? throw TakenOver();

    /// <summary>How many of the lines are positions (kept here so that the double path need not touch the positions).</summary>
    internal int PositionCount { get; }

    /// <summary>The lines (positions, then order-only instruments) in doubles, in the same order.</summary>
    internal FastLine[] FastLines => _fastLines ?? throw TakenOver();

    /// <summary>Each line's quantities with its orders filled, beside <see cref="FastLines"/>; null without open orders.</summary>
    internal FastOrders[]? FastOrders { get; }

    /// <summary>The double lines and balances, or null when a store took them over (<see cref="InStore"/>).</summary>
    internal (FastLine[] Lines, FastBalance[] Balances)? OwnFast => _fastLines is { } lines ? (lines, _fastBalances!) : null;

    /// <summary>Drops the double lines and balances: a store copied them (only the store's owner calls this, under its lock).</summary>
    internal void HandOver()
    {
        _fastLines = null;
        _fastBalances = null;
    }

    private static InvalidOperationException TakenOver() =>
        new("These holdings' double lines were handed to a HoldingsStore; compute them through it.");
}
