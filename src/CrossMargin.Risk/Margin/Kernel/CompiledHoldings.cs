using System.Runtime.CompilerServices;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// One account's cross pool as <see cref="StandardCrossKernel"/> reads it: the account's own balance and position arrays
/// (shared, never copied) with the dense index of each asset and instrument, the symbols that only open orders reach,
/// and each line's buy and sell order quantities. Made once per change of the account by
/// <see cref="StandardCrossKernel.Compile"/>, then read on every market move without a dictionary lookup. Immutable.
/// </summary>
public sealed class CompiledHoldings
{
    // What the hints reach: a book of a few positions and balances (longer arrays have their first lines hinted).
    private const int TypicalLines = 4;
    private const int TypicalBalances = 3;

    internal CompiledHoldings(
        CollateralBalance[] balances, Position[] positions, int[]? orderOnlyInstruments,
        decimal[]? buys, decimal[]? sells, FastBalance[] fastBalances, FastLine[] fastLines, FastOrders[]? fastOrders)
    {
        FastBalances = fastBalances;
        FastLines = fastLines;
        PositionCount = positions.Length;
        FastOrders = fastOrders;
        Balances = balances;
        Positions = positions;
        OrderOnlyInstruments = orderOnlyInstruments;
        Buys = buys;
        Sells = sells;
    }

    /// <summary>
    /// Hints the processor to load the two arrays <see cref="StandardCrossKernel.Concerns"/> and the double path read
    /// (<see cref="CacheHints"/>): a pass calls it an account or two ahead of computing these holdings.
    /// </summary>
    public void Prefetch()
    {
        // A fixed reach rather than each array's length: reading the length is a load of the very line being asked
        // for, and the pass stalled on it (a profile put ~2% of the pass on those two loads). An array's reference
        // points at its type, then its length, then its items (16 bytes in); a hint past its end costs nothing.
        CacheHints.Prefetch(FastLines, 16 + (TypicalLines * Unsafe.SizeOf<FastLine>()));
        CacheHints.Prefetch(FastBalances, 16 + (TypicalBalances * Unsafe.SizeOf<FastBalance>()));
    }

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
    internal FastBalance[] FastBalances { get; }

    /// <summary>How many of the lines are positions (kept here so that the double path need not touch the positions).</summary>
    internal int PositionCount { get; }

    /// <summary>The lines (positions, then order-only instruments) in doubles, in the same order.</summary>
    internal FastLine[] FastLines { get; }

    /// <summary>The kernel's index of balance <paramref name="i"/>'s asset (kept once, in <see cref="FastBalances"/>: one array less per account).</summary>
    internal int BalanceAsset(int i) => FastBalances[i].Asset;

    /// <summary>The kernel's index of position <paramref name="i"/>'s instrument (kept once, in <see cref="FastLines"/>).</summary>
    internal int PositionInstrument(int i) => FastLines[i].Instrument;

    /// <summary>Each line's quantities with its orders filled, beside <see cref="FastLines"/>; null without open orders.</summary>
    internal FastOrders[]? FastOrders { get; }
}
