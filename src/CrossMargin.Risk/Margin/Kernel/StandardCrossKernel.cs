using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// The figures of <see cref="MarginCalculator.Figures(IReadOnlyList{CollateralBalance}, IReadOnlyList{Position}, IReadOnlyList{OpenOrder}, MarketSnapshot)"/>
/// for a cross pool under the standard model, to the last digit, at a fraction of the cost: what does not depend on
/// the account (marks, prices, brackets, option rates) is looked up once per snapshot (<see cref="At"/>), what does not
/// depend on the market (which instrument and asset each line is) once per change of the account
/// (<see cref="Compile"/>), and <see cref="TryCompute(CompiledHoldings, StandardKernelMarket, out KernelFigures)"/> is then plain decimal arithmetic over arrays, in the same order
/// of operations as the calculator (decimal addition and multiplication round when a result outgrows 28 digits, so the
/// order is part of the result). Thread-safe; one instance per calculator.
/// </summary>
public sealed class StandardCrossKernel
{
    private readonly ConcurrentDictionary<string, int> _instruments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _assets = new(StringComparer.Ordinal);

    // The scratch double lines of CompileAndCompute, one per thread (the figures are computed before it returns).
    [ThreadStatic]
    private static FastScratch? _scratch;
    private readonly Lock _indexGate = new();
    private readonly ConditionalWeakTable<MarketSnapshot, StandardKernelMarket> _markets = [];
    private readonly StandardMarginModel _model;

    /// <summary>A kernel for <paramref name="calculator"/>, whose cross model must be a <see cref="StandardMarginModel"/>.</summary>
    public StandardCrossKernel(MarginCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        _model = calculator.CrossModel as StandardMarginModel
            ?? throw new ArgumentException($"The kernel computes standard cross pools; this calculator's cross model is {calculator.CrossModel.Name}.", nameof(calculator));
        Calculator = calculator;
    }

    /// <summary>The calculator whose figures this kernel reproduces.</summary>
    public MarginCalculator Calculator { get; }

    /// <summary>Whether <paramref name="calculator"/> can have a kernel (its cross model is the standard one).</summary>
    public static bool Supports(MarginCalculator calculator) => calculator?.CrossModel is StandardMarginModel;

    /// <summary>
    /// An account's holdings for <see cref="TryCompute(CompiledHoldings, StandardKernelMarket, out KernelFigures)"/>, or null when the kernel does not handle them (an isolated
    /// position: the calculator margins it on its own). The lists are kept, not copied, and must never change after this
    /// call (the engine's account state replaces its arrays on every change and never edits one in place).
    /// </summary>
    public CompiledHoldings? Compile(IReadOnlyList<CollateralBalance> balances, IReadOnlyList<Position> positions, IReadOnlyList<OpenOrder> openOrders) =>
        CompileCore(balances, positions, openOrders, ownFast: true);

    /// <summary>
    /// Compiles the holdings as <see cref="Compile"/>
    /// and computes their figures at <paramref name="market"/> (<paramref name="computed"/> false when the kernel cannot
    /// price them), from double lines and balances written into a scratch buffer of the calling thread rather than into
    /// arrays of their own: the holdings come back without them (<see cref="CompiledHoldings.InStore"/>), for a
    /// <see cref="HoldingsStore"/> to write them straight into a region. Holdings too large for a store keep their own.
    /// Null when the kernel does not take the holdings (an isolated position).
    /// </summary>
    public CompiledHoldings? CompileAndCompute(IReadOnlyList<CollateralBalance> balances, IReadOnlyList<Position> positions, IReadOnlyList<OpenOrder> openOrders,
        StandardKernelMarket market, out bool computed, out KernelFigures figures)
    {
        ArgumentNullException.ThrowIfNull(market);
        var holdings = CompileCore(balances, positions, openOrders, ownFast: false);
        if (holdings is null)
        {
            (computed, figures) = (false, default);
            return null;
        }

        if (!HoldingsStore.Takes(holdings))
        {
            holdings = CompileCore(balances, positions, openOrders, ownFast: true)!;
            computed = TryCompute(holdings, market, out figures);
            return holdings;
        }

        var (lineCount, balanceCount) = HoldingsStore.SizeOf(holdings);
        var scratch = _scratch ??= new FastScratch();
        scratch.Take(lineCount, balanceCount, out var lines, out var fastBalances);
        FastInto(holdings, lines, fastBalances);
        computed = DoubleFigures.TryCompute(fastBalances, lines, holdings.PositionCount, holdings.FastOrders, market, ZeroRequirement, out figures)
            || TryComputeInDecimal(holdings, lines, fastBalances, market, out figures);
        return holdings;
    }

    private CompiledHoldings? CompileCore(IReadOnlyList<CollateralBalance> balances, IReadOnlyList<Position> positions, IReadOnlyList<OpenOrder> openOrders, bool ownFast)
    {
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(openOrders);
        var positionArray = positions as Position[] ?? [.. positions];
        foreach (var position in positionArray)
        {
            if (position.IsIsolated)
            {
                return null;
            }
        }

        // The indexes live only in the double lines and balances (one array each per account, compiled on every change).
        var balanceArray = balances as CollateralBalance[] ?? [.. balances];
        var fastBalances = ownFast ? FastBalancesOf(balanceArray) : null;

        if (openOrders.Count == 0)
        {
            return new CompiledHoldings(balanceArray, positionArray, null, null, null, fastBalances,
                ownFast ? FastLines(positionArray, null) : null, null);
        }

        // The standard model margins the held (non-zero) positions first, then each symbol only orders reach, in the
        // order of its first order; each with the summed quantities of its buy and its sell orders.
        List<string>? orderOnly = null;
        for (var i = 0; i < openOrders.Count; i++)
        {
            var symbol = openOrders[i].Symbol;
            if (!HeldNonZero(positionArray, symbol) && (orderOnly is null || !orderOnly.Contains(symbol, StringComparer.Ordinal)))
            {
                (orderOnly ??= []).Add(symbol);
            }
        }

        var lines = positionArray.Length + (orderOnly?.Count ?? 0);
        var buys = new decimal[lines];
        var sells = new decimal[lines];
        for (var line = 0; line < lines; line++)
        {
            var symbol = line < positionArray.Length ? positionArray[line].Symbol : orderOnly![line - positionArray.Length];
            decimal buy = 0m, sell = 0m;
            for (var i = 0; i < openOrders.Count; i++)
            {
                var order = openOrders[i];
                if (string.Equals(order.Symbol, symbol, StringComparison.Ordinal))
                {
                    if (order.Side == OrderSide.Buy)
                    {
                        buy += order.Quantity;
                    }
                    else if (order.Side == OrderSide.Sell)
                    {
                        sell += order.Quantity;
                    }
                }
            }

            buys[line] = buy;
            sells[line] = sell;
        }

        var orderOnlyInstruments = orderOnly?.Select(s => IndexOf(_instruments, s)).ToArray();
        return new CompiledHoldings(balanceArray, positionArray, orderOnlyInstruments, buys, sells, fastBalances,
            ownFast ? FastLines(positionArray, orderOnlyInstruments) : null, FastOrdersOf(positionArray, buys, sells));
    }

    /// <summary>
    /// The double lines and balances of <paramref name="holdings"/> compiled again (for holdings whose own a store took
    /// over, <see cref="CompiledHoldings.InStore"/>): the same values <see cref="Compile"/> made.
    /// </summary>
    internal (FastLine[] Lines, FastBalance[] Balances) FastOf(CompiledHoldings holdings) =>
        (FastLines(holdings.Positions, holdings.OrderOnlyInstruments), FastBalancesOf(holdings.Balances));

    /// <summary>
    /// Writes the double lines and balances of <paramref name="holdings"/> into <paramref name="lines"/> and
    /// <paramref name="balances"/> (exactly as long as they need, <see cref="HoldingsStore.SizeOf"/>): the same values
    /// <see cref="Compile"/> makes.
    /// </summary>
    internal void FastInto(CompiledHoldings holdings, Span<FastLine> lines, Span<FastBalance> balances)
    {
        WriteFastLines(holdings.Positions, holdings.OrderOnlyInstruments, lines);
        WriteFastBalances(holdings.Balances, balances);
    }

    private FastBalance[] FastBalancesOf(CollateralBalance[] balances)
    {
        var fastBalances = new FastBalance[balances.Length];
        WriteFastBalances(balances, fastBalances);
        return fastBalances;
    }

    private void WriteFastBalances(CollateralBalance[] balances, Span<FastBalance> fastBalances)
    {
        for (var i = 0; i < balances.Length; i++)
        {
            var amount = balances[i].Amount;
            fastBalances[i] = new FastBalance((double)amount, IndexOf(_assets, balances[i].Asset), DecimalScale.Of(amount));
        }
    }

    private FastLine[] FastLines(Position[] positions, int[]? orderOnly)
    {
        var lines = new FastLine[positions.Length + (orderOnly?.Length ?? 0)];
        WriteFastLines(positions, orderOnly, lines);
        return lines;
    }

    private void WriteFastLines(Position[] positions, int[]? orderOnly, Span<FastLine> lines)
    {
        for (var line = 0; line < lines.Length; line++)
        {
            if (line < positions.Length)
            {
                var position = positions[line];
                lines[line] = new FastLine((double)position.Quantity, (double)position.EntryPrice, IndexOf(_instruments, position.Symbol), DecimalScale.Of(position.Quantity),
                    DecimalScale.Of(position.EntryPrice), position.EntryPrice > 0);
            }
            else
            {
                lines[line] = new FastLine(0, 0, orderOnly![line - positions.Length], 0, 0, false);
            }
        }
    }

    private static FastOrders[] FastOrdersOf(Position[] positions, decimal[] buys, decimal[] sells)
    {
        var orders = new FastOrders[buys.Length];
        for (var line = 0; line < orders.Length; line++)
        {
            var q = line < positions.Length ? positions[line].Quantity : 0m;
            try
            {
                var (withBuys, withSells) = (q + buys[line], q - sells[line]);
                orders[line] = new FastOrders((double)withBuys, (double)withSells, DecimalScale.Of(withBuys), DecimalScale.Of(withSells), buys[line] != 0 || sells[line] != 0);
            }
            catch (OverflowException)
            {
                // NaN never decides: the decimal path answers (with its own overflow).
                orders[line] = new FastOrders(double.NaN, double.NaN, 0, 0, true);
            }
        }

        return orders;
    }

    /// <summary>The per-snapshot tables of <paramref name="market"/>, built on first use and kept while the snapshot lives.</summary>
    public StandardKernelMarket At(MarketSnapshot market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return _markets.GetValue(market, Build);
    }

    /// <summary>
    /// The figures of <paramref name="holdings"/> at <paramref name="market"/>; false, with nothing computed, when the
    /// calculator would fail on them (an instrument or price the snapshot lacks, an inverse future without positive
    /// prices) or would round where the kernel cannot follow (an arithmetic overflow), so that the caller asks the
    /// calculator and gets its error.
    /// </summary>
    public static bool TryCompute(CompiledHoldings holdings, StandardKernelMarket market, out KernelFigures figures)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(market);
        return TryComputeInDoubles(holdings, market, out figures) || TryComputeInDecimal(holdings, market, out figures);
    }

    /// <summary>The double path alone (<see cref="DoubleFigures"/>): false when it cannot decide the cents for certain.</summary>
    internal static bool TryComputeInDoubles(CompiledHoldings holdings, StandardKernelMarket market, out KernelFigures figures) =>
        DoubleFigures.TryCompute(holdings.FastBalances, holdings.FastLines, holdings.PositionCount, holdings.FastOrders, market, ZeroRequirement, out figures);

    /// <summary>The decimal path alone: what <see cref="TryCompute(CompiledHoldings, StandardKernelMarket, out KernelFigures)"/> answers when the doubles cannot decide.</summary>
    internal static bool TryComputeInDecimal(CompiledHoldings holdings, StandardKernelMarket market, out KernelFigures figures) =>
        TryComputeInDecimal(holdings, holdings.FastLines, holdings.FastBalances, market, out figures);

    /// <summary>
    /// <see cref="TryCompute(CompiledHoldings, StandardKernelMarket, out KernelFigures)"/> for holdings whose double lines
    /// and balances lie in <paramref name="store"/> at <paramref name="region"/>: the same figures to the last digit.
    /// </summary>
    public static bool TryCompute(HoldingsStore store, in HoldingsRegion region, CompiledHoldings holdings, StandardKernelMarket market, out KernelFigures figures) =>
        TryComputeInDoubles(store, region, holdings, market, out figures) || TryComputeInDecimal(store, region, holdings, market, out figures);

    /// <summary>
    /// The double path alone over a stored region: false when it cannot decide the cents for certain (then
    /// <see cref="TryComputeInDecimal(HoldingsStore, in HoldingsRegion, CompiledHoldings, StandardKernelMarket, out KernelFigures)"/>
    /// answers). It reads <paramref name="holdings"/> only for their open orders (<see cref="HoldingsRegion.HasOrders"/>),
    /// so a caller may pass null for a region without them and never touch the holdings.
    /// </summary>
    public static bool TryComputeInDoubles(HoldingsStore store, in HoldingsRegion region, CompiledHoldings? holdings, StandardKernelMarket market, out KernelFigures figures)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(market);
        var orders = region.HasOrders ? (holdings ?? throw new ArgumentNullException(nameof(holdings), "A region with open orders needs its holdings.")).FastOrders : null;
        return DoubleFigures.TryCompute(store.BalancesOf(region), store.LinesOf(region), region.Positions, orders, market, ZeroRequirement, out figures);
    }

    /// <summary>The decimal path alone over a stored region of <paramref name="holdings"/>.</summary>
    public static bool TryComputeInDecimal(HoldingsStore store, in HoldingsRegion region, CompiledHoldings holdings, StandardKernelMarket market, out KernelFigures figures)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(market);
        return TryComputeInDecimal(holdings, store.LinesOf(region), store.BalancesOf(region), market, out figures);
    }

    private static bool TryComputeInDecimal(CompiledHoldings holdings, ReadOnlySpan<FastLine> lines, ReadOnlySpan<FastBalance> fastBalances, StandardKernelMarket market,
        out KernelFigures figures)
    {
        figures = default;
        try
        {
            return Compute(holdings, lines, fastBalances, market, out figures);
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a change that moved <paramref name="moved"/> concerns <paramref name="holdings"/>: a line on a moved
    /// instrument or a non-zero balance in a moved asset (an index beyond the tables counts as moved).
    /// </summary>
    public static bool Concerns(CompiledHoldings holdings, MovedSet moved)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(moved);
        return Concerns(holdings.FastLines, holdings.FastBalances, moved);
    }

    /// <summary><see cref="Concerns(CompiledHoldings, MovedSet)"/> for holdings stored in <paramref name="store"/> at <paramref name="region"/>.</summary>
    public static bool Concerns(HoldingsStore store, in HoldingsRegion region, MovedSet moved)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(moved);
        return Concerns(store.LinesOf(region), store.BalancesOf(region), moved);
    }

    private static bool Concerns(ReadOnlySpan<FastLine> lines, ReadOnlySpan<FastBalance> balances, MovedSet moved)
    {
        // The double lines are the positions then the instruments only orders reach, so one array answers for both.
        var instruments = moved.Instruments;
        for (var i = 0; i < lines.Length; i++)
        {
            var index = lines[i].Instrument;
            if ((uint)index >= (uint)instruments.Length || instruments[index])
            {
                return true;
            }
        }

        // The balances' doubles, not their records: a non-zero decimal converts to a non-zero double, and this way the
        // check touches nothing beyond the lines and balances the double path reads next (one cache miss less per record).
        var assets = moved.Assets;
        for (var i = 0; i < balances.Length; i++)
        {
            var index = balances[i].Asset;
            if (balances[i].Amount != 0 && ((uint)index >= (uint)assets.Length || assets[index]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Compute(CompiledHoldings holdings, ReadOnlySpan<FastLine> lines, ReadOnlySpan<FastBalance> fastBalances, StandardKernelMarket market,
        out KernelFigures figures)
    {
        figures = default;
        var kind = market.Kind;
        var positions = holdings.Positions;

        // As the calculator: every listed instrument must resolve before anything is valued.
        for (var i = 0; i < positions.Length; i++)
        {
            var index = lines[i].Instrument;
            if ((uint)index >= (uint)kind.Length || kind[index] == StandardKernelMarket.Missing)
            {
                return false;
            }
        }

        var orderOnly = holdings.OrderOnlyInstruments;
        if (orderOnly is not null)
        {
            foreach (var index in orderOnly)
            {
                if ((uint)index >= (uint)kind.Length || kind[index] == StandardKernelMarket.Missing)
                {
                    return false;
                }
            }
        }

        // Collateral (CollateralSchedule.ValueUsd).
        var collateralValue = 0m;
        var balances = holdings.Balances;
        for (var i = 0; i < balances.Length; i++)
        {
            var asset = fastBalances[i].Asset;
            if ((uint)asset >= (uint)market.HasPrice.Length || !market.HasPrice[asset])
            {
                return false;
            }

            var marketValue = balances[i].Amount * market.Price[asset];
            var haircut = marketValue <= 0 ? 0m : market.Rule[asset] is not null ? CollateralRule.HaircutOn(market.Tiers[asset], marketValue) : marketValue;
            collateralValue += marketValue - haircut;
        }

        // Valuation (PositionValuation.Of) and requirement (StandardMarginModel.ComputeFigures), line by line.
        decimal pnl = 0m, optionValue = 0m, im = 0m, mm = 0m;
        var buys = holdings.Buys;
        var sells = holdings.Sells;
        var any = false;
        for (var i = 0; i < positions.Length; i++)
        {
            var q = positions[i].Quantity;
            if (q == 0)
            {
                continue;
            }

            any = true;
            var k = lines[i].Instrument;
            var size = market.Size[k];
            var mark = market.Mark[k];
            decimal value;
            switch (kind[k])
            {
                case StandardKernelMarket.Option:
                    value = q * size * mark;
                    optionValue += value * market.Settlement[k];
                    break;
                case StandardKernelMarket.LinearFuture:
                    value = q * size * (mark - positions[i].EntryPrice);
                    pnl += value * market.Settlement[k];
                    break;
                default:
                    var entry = positions[i].EntryPrice;
                    if (entry <= 0 || mark <= 0)
                    {
                        return false;
                    }

                    value = (q * size / entry) - (q * size / mark);
                    pnl += value * market.Settlement[k];
                    break;
            }

            var (lineIm, lineMm) = Requirement(market, k, q, buys is null ? 0m : buys[i], sells is null ? 0m : sells[i]);
            im += lineIm;
            mm += lineMm;
        }

        if (orderOnly is not null)
        {
            any = true;
            for (var j = 0; j < orderOnly.Length; j++)
            {
                var line = positions.Length + j;
                var (lineIm, lineMm) = Requirement(market, orderOnly[j], 0m, buys![line], sells![line]);
                im += lineIm;
                mm += lineMm;
            }
        }

        if (!any)
        {
            (im, mm) = (default, default);
        }

        var equity = EquityCents(collateralValue + pnl + optionValue);
        var initial = RequirementCents(im);
        var maintenance = RequirementCents(mm);
        figures = new KernelFigures(equity, initial, maintenance, AccountMargin.StatusOf(equity, initial, maintenance));
        return true;
    }

    // MarginRounding's cents without its division: x / 0.01 is exactly x * 100 (both are exact whenever they do not
    // overflow, and both overflow together), and Floor and Ceiling return scale 0 either way, so the results are equal
    // to the last digit; a division costs several times a multiplication.
    // The requirements of a pool with no line, as the decimal path rounds them (the double path copies the digits).
    private static readonly decimal ZeroRequirement = RequirementCents(default);

    private static decimal EquityCents(decimal value) => Math.Floor(value * 100m) * MarginRounding.Increment;

    private static decimal RequirementCents(decimal value) => Math.Ceiling(value * 100m) * MarginRounding.Increment;

    // StandardMarginModel's per-instrument figures: IM the worst of the position and the position with every buy or every
    // sell order filled (the first on ties), MM the position's alone.
    private static (decimal Im, decimal Mm) Requirement(StandardKernelMarket market, int k, decimal q, decimal buys, decimal sells)
    {
        if (market.Kind[k] == StandardKernelMarket.Option)
        {
            var valuePerContract = market.ValuePerContract[k];
            var shortIm = market.ShortInitial[k];
            var optionIm = q >= 0 ? q * valuePerContract : -q * shortIm;
            if (buys != 0 || sells != 0)
            {
                var withBuys = q + buys;
                var withSells = q - sells;
                optionIm = Worst(optionIm, withBuys >= 0 ? withBuys * valuePerContract : -withBuys * shortIm,
                    withSells >= 0 ? withSells * valuePerContract : -withSells * shortIm);
            }

            return (optionIm, q >= 0 ? q * valuePerContract : -q * market.ShortMaintenance[k]);
        }

        var brackets = market.Brackets[k];
        var notional = Notional(market, k, q);
        var im = InitialOf(brackets, notional);
        if (buys != 0 || sells != 0)
        {
            im = Worst(im, InitialOf(brackets, Notional(market, k, q + buys)), InitialOf(brackets, Notional(market, k, q - sells)));
        }

        var mmBracket = brackets[IndexOf(brackets, notional)];
        return (im, (notional * mmBracket.MaintenanceRate) - mmBracket.MaintenanceAmountUsd);
    }

    private static decimal Notional(StandardKernelMarket market, int k, decimal q) => market.Kind[k] == StandardKernelMarket.LinearFuture
        ? Math.Abs(q) * market.Size[k] * market.Mark[k] * market.Quote[k]
        : Math.Abs(q) * market.Size[k] * market.Quote[k];

    private static decimal InitialOf(RiskLimitBracket[] brackets, decimal notional)
    {
        var bracket = brackets[IndexOf(brackets, notional)];
        return (notional * bracket.InitialRate) - bracket.InitialAmountUsd;
    }

    // RiskLimitSchedule.IndexOf over the array.
    private static int IndexOf(RiskLimitBracket[] brackets, decimal notional)
    {
        for (var i = 0; i < brackets.Length; i++)
        {
            if (brackets[i].NotionalCapUsd is not { } cap || notional < cap)
            {
                return i;
            }
        }

        return brackets.Length - 1;
    }

    private static decimal Worst(decimal position, decimal withBuys, decimal withSells)
    {
        var value = position;
        if (withBuys > value)
        {
            value = withBuys;
        }

        if (withSells > value)
        {
            value = withSells;
        }

        return value;
    }

    private static bool HeldNonZero(Position[] positions, string symbol)
    {
        foreach (var position in positions)
        {
            if (position.Quantity != 0 && string.Equals(position.Symbol, symbol, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private int IndexOf(ConcurrentDictionary<string, int> indexes, string key)
    {
        if (indexes.TryGetValue(key, out var index))
        {
            return index;
        }

        // Under the lock the count is the next free index: indexes stay dense and never change once given.
        lock (_indexGate)
        {
            return indexes.GetOrAdd(key, indexes.Count);
        }
    }

    private StandardKernelMarket Build(MarketSnapshot market)
    {
        // Every instrument and asset of the snapshot gets an index first, so the tables cover them all.
        foreach (var instrument in market.Instruments)
        {
            IndexOf(_instruments, instrument.Symbol);
        }

        foreach (var asset in market.AssetPrices.Keys)
        {
            IndexOf(_assets, asset);
        }

        var instruments = _instruments.ToArray();
        var assets = _assets.ToArray();
        var table = new StandardKernelMarket(market, _model.Name, instruments.Length == 0 ? 0 : instruments.Max(i => i.Value) + 1,
            assets.Length == 0 ? 0 : assets.Max(a => a.Value) + 1);
        foreach (var (asset, a) in assets)
        {
            table.AssetName[a] = asset;
            if (market.AssetPrices.TryGetValue(asset, out var price))
            {
                table.HasPrice[a] = true;
                table.Price[a] = price;
            }

            if (Calculator.Collateral.Rules.TryGetValue(asset, out var rule))
            {
                table.Rule[a] = rule;
                table.Tiers[a] = [.. rule.Tiers];
            }

            FillFastAsset(table, a);
        }

        foreach (var (symbol, k) in instruments)
        {
            if (market.FindInstrument(symbol) is { } instrument)
            {
                Fill(table, k, instrument, market);
            }
        }

        return table;
    }

    // The double path's copy of an instrument: every value as a double and the scale of its decimal.
    private static void FillFastInstrument(StandardKernelMarket table, int k, bool linear)
    {
        ref var fast = ref table.Fast[k];
        (fast.Size, fast.SizeScale) = (Fast(table.Size[k]), DecimalScale.Of(table.Size[k]));
        (fast.Mark, fast.MarkScale) = (Fast(table.Mark[k]), DecimalScale.Of(table.Mark[k]));
        (fast.Quote, fast.QuoteScale) = (Fast(table.Quote[k]), DecimalScale.Of(table.Quote[k]));
        (fast.Settlement, fast.SettlementScale) = (Fast(table.Settlement[k]), DecimalScale.Of(table.Settlement[k]));
        (fast.ValuePerContract, fast.ValuePerContractScale) = (Fast(table.ValuePerContract[k]), DecimalScale.Of(table.ValuePerContract[k]));
        (fast.ShortInitial, fast.ShortInitialScale) = (Fast(table.ShortInitial[k]), DecimalScale.Of(table.ShortInitial[k]));
        (fast.ShortMaintenance, fast.ShortMaintenanceScale) = (Fast(table.ShortMaintenance[k]), DecimalScale.Of(table.ShortMaintenance[k]));
        if (table.Brackets[k] is { } brackets)
        {
            fast.NotionalPerUnit = linear ? fast.Size * fast.Mark * fast.Quote : fast.Size * fast.Quote;
            fast.NotionalScale = fast.SizeScale + (linear ? fast.MarkScale : 0) + fast.QuoteScale;
            fast.NotionalRoundings = linear ? (((Math.Abs(fast.Mark) + 1) * Math.Abs(fast.Quote)) + 1) : (Math.Abs(fast.Quote) + 1);
            fast.LargestPerNotional = 1 + ((1 + (1 / Math.Abs(fast.Mark))) / Math.Abs(fast.Quote));
            fast.Brackets = new FastBracket[brackets.Length];
            for (var i = 0; i < brackets.Length; i++)
            {
                var b = brackets[i];
                fast.Brackets[i] = new FastBracket(b.NotionalCapUsd is { } cap ? Fast(cap) : double.PositiveInfinity, Fast(b.InitialRate), Fast(b.InitialAmountUsd),
                    Fast(b.MaintenanceRate), Fast(b.MaintenanceAmountUsd));
                fast.RateScale = Math.Max(fast.RateScale, Math.Max(DecimalScale.Of(b.InitialRate), DecimalScale.Of(b.MaintenanceRate)));
                fast.AmountScale = Math.Max(fast.AmountScale, Math.Max(DecimalScale.Of(b.InitialAmountUsd), DecimalScale.Of(b.MaintenanceAmountUsd)));
            }
        }
    }

    private static void FillFastAsset(StandardKernelMarket table, int a)
    {
        ref var fast = ref table.FastAssets[a];
        fast.Priced = table.HasPrice[a];
        (fast.Price, fast.PriceScale) = (Fast(table.Price[a]), DecimalScale.Of(table.Price[a]));
        if (table.Rule[a] is not null)
        {
            var tiers = table.Tiers[a];
            fast.TierUpper = new double[tiers.Length];
            fast.TierHaircut = new double[tiers.Length];
            for (var t = 0; t < tiers.Length; t++)
            {
                // The calculator's unbounded tier reaches decimal.MaxValue; as a bound, +infinity does the same.
                fast.TierUpper[t] = tiers[t].UpToValueUsd is { } upper ? Fast(upper) : double.PositiveInfinity;
                fast.TierHaircut[t] = Fast(tiers[t].Haircut);
                fast.RateSum += Math.Abs(fast.TierHaircut[t]);
                fast.BoundScale = Math.Max(fast.BoundScale, tiers[t].UpToValueUsd is { } bound ? DecimalScale.Of(bound) : 0);
                fast.RateScale = Math.Max(fast.RateScale, DecimalScale.Of(tiers[t].Haircut));
            }
        }
    }

    private static double Fast(decimal value) => (double)value;

    private void Fill(StandardKernelMarket table, int k, Instrument instrument, MarketSnapshot market)
    {
        // Left missing when anything the calculator would read throws: the account then goes to the calculator and its error.
        if (!market.HasPrice(instrument.SettlementAsset) || !market.HasPrice(instrument.QuoteAsset))
        {
            return;
        }

        table.Underlying[k] = instrument.Underlying;
        table.SettlementAsset[k] = instrument.SettlementAsset;
        table.QuoteAsset[k] = instrument.QuoteAsset;
        table.Size[k] = instrument.ContractSize;
        table.Mark[k] = market.MarkOf(instrument.Symbol).MarkPrice;
        table.Quote[k] = market.PriceOf(instrument.QuoteAsset);
        table.Settlement[k] = market.PriceOf(instrument.SettlementAsset);
        if (instrument is OptionContract option)
        {
            try
            {
                (table.ValuePerContract[k], table.ShortInitial[k], table.ShortMaintenance[k]) = _model.OptionRatesAt(option, market);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException or KeyNotFoundException)
            {
                return;
            }

            FillFastInstrument(table, k, linear: false);
            table.Kind[k] = StandardKernelMarket.Option;
            return;
        }

        table.Brackets[k] = [.. _model.Parameters.ScheduleFor(instrument).Brackets];
        var linear = instrument.Settlement == SettlementKind.Linear;
        FillFastInstrument(table, k, linear);
        table.Kind[k] = linear ? StandardKernelMarket.LinearFuture : StandardKernelMarket.InverseFuture;
    }
}
