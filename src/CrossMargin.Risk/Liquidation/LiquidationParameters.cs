using System.Collections.Frozen;
using System.Globalization;

namespace CrossMargin.Risk.Liquidation;

/// <summary>
/// How forced liquidation proceeds: when it stops, how big a step may be, how much an instrument can absorb per
/// interval, what it costs the account and how far from the mark its orders may trade. Validated on construction.
/// </summary>
/// <remarks>
/// <para>
/// Stop level: a pool is liquidated until its equity is at least MM x (1 + <see cref="StopBufferRatio"/>). A ratio
/// rather than a fixed USD buffer, because the buffer must scale with the risk left: a fixed $100 is nothing for a
/// $10M book and most of the equity of a $500 one. The buffer stops the account from re-entering liquidation on the
/// next tick of the mark.
/// </para>
/// <para>
/// Budgets are in contracts of each instrument (the unit the order book and the orders are in, so the actor can
/// subtract filled quantities without a price). The actor owns the interval and passes what is left of it.
/// </para>
/// <para>
/// Orders are rounded to a quantity increment per symbol, by default <see cref="DefaultQuantityIncrement"/> (0.1
/// contract: the finest size the test portfolios use). It is the liquidation's own choice (how coarse its orders are) but
/// must be a whole number of the instrument's lot (<see cref="Instruments.Instrument.LotSize"/>), or the venue would refuse
/// the orders: <see cref="IncrementsOffLot"/> lists those that are not, and the engine refuses to start with any.
/// </para>
/// </remarks>
public sealed class LiquidationParameters
{
    /// <summary>The quantity increment used for symbols without an override.</summary>
    public const decimal StandardQuantityIncrement = 0.1m;

    /// <summary>The ADL band when none is given.</summary>
    public const decimal StandardAdlPriceBand = 0.1m;

    private readonly FrozenDictionary<string, decimal> _budgets;
    private readonly FrozenDictionary<string, decimal> _increments;
    private readonly IReadOnlyDictionary<string, decimal>? _liquidityBudgets;
    private readonly IReadOnlyDictionary<string, decimal>? _quantityIncrements;

    /// <summary>Creates and checks the parameters; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    /// <param name="stopBufferRatio">Liquidation stops at equity &gt;= MM x (1 + this); zero or positive (0.05).</param>
    /// <param name="maxStepFraction">Largest fraction of a position one step closes, in (0, 1] (0.25).</param>
    /// <param name="feeRate">Liquidation fee as a fraction of closed notional, in [0, 1) (0.005).</param>
    /// <param name="slippageBand">How far from the mark a limit price may be, in (0, 1) (0.02).</param>
    /// <param name="defaultLiquidityBudget">Contracts per interval for a symbol without its own budget, zero or positive.</param>
    /// <param name="liquidityBudgets">Contracts per interval by symbol, zero or positive.</param>
    /// <param name="defaultQuantityIncrement">Order quantity increment for symbols without their own, positive.</param>
    /// <param name="quantityIncrements">Order quantity increments by symbol, positive.</param>
    /// <param name="adlPriceBand">How far from the mark an auto-deleverage fill's price may be, in (0, 1) (0.1).</param>
    /// <param name="optionFeeCapOfValue">
    /// The most an option's liquidation fee may be, as a fraction of the closed options' value at mark, in [0, 1]
    /// (<see cref="LiquidationFee.OptionFeeCapOfValue"/>, 12.5%).
    /// </param>
    public LiquidationParameters(
        decimal stopBufferRatio,
        decimal maxStepFraction,
        decimal feeRate,
        decimal slippageBand,
        decimal defaultLiquidityBudget,
        IReadOnlyDictionary<string, decimal>? liquidityBudgets = null,
        decimal defaultQuantityIncrement = StandardQuantityIncrement,
        IReadOnlyDictionary<string, decimal>? quantityIncrements = null,
        decimal adlPriceBand = StandardAdlPriceBand,
        decimal optionFeeCapOfValue = LiquidationFee.OptionFeeCapOfValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stopBufferRatio);
        if (maxStepFraction is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxStepFraction), maxStepFraction, "The step fraction must be in (0, 1].");
        }

        if (feeRate is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(feeRate), feeRate, "The fee rate must be in [0, 1).");
        }

        if (slippageBand is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(slippageBand), slippageBand, "The slippage band must be in (0, 1).");
        }

        if (adlPriceBand is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(adlPriceBand), adlPriceBand, "The ADL price band must be in (0, 1).");
        }

        if (optionFeeCapOfValue is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(optionFeeCapOfValue), optionFeeCapOfValue, "The option fee cap must be in [0, 1] of the options' value.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(defaultLiquidityBudget);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(defaultQuantityIncrement);
        _budgets = (liquidityBudgets ?? new Dictionary<string, decimal>()).ToFrozenDictionary(StringComparer.Ordinal);
        _increments = (quantityIncrements ?? new Dictionary<string, decimal>()).ToFrozenDictionary(StringComparer.Ordinal);
        foreach (var (symbol, budget) in _budgets)
        {
            if (budget < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(liquidityBudgets), budget, $"The liquidity budget of {symbol} must not be negative.");
            }
        }

        foreach (var (symbol, increment) in _increments)
        {
            if (increment <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(quantityIncrements), increment, $"The quantity increment of {symbol} must be positive.");
            }
        }

        StopBufferRatio = stopBufferRatio;
        _liquidityBudgets = liquidityBudgets;
        _quantityIncrements = quantityIncrements;
        MaxStepFraction = maxStepFraction;
        FeeRate = feeRate;
        SlippageBand = slippageBand;
        AdlPriceBand = adlPriceBand;
        OptionFeeCapOfValue = optionFeeCapOfValue;
        DefaultLiquidityBudget = defaultLiquidityBudget;
        DefaultQuantityIncrement = defaultQuantityIncrement;
    }

    /// <summary>Liquidation stops once equity &gt;= MM x (1 + this).</summary>
    public decimal StopBufferRatio { get; }

    /// <summary>The largest fraction of a position one step closes.</summary>
    public decimal MaxStepFraction { get; }

    /// <summary>Liquidation fee as a fraction of the closed notional (USD).</summary>
    public decimal FeeRate { get; }

    /// <summary>
    /// The most an option's liquidation fee may be, as a fraction of the closed options' value at mark: the rate applies to
    /// the underlying's notional, which for an option far out of the money is far more than the option is worth.
    /// </summary>
    public decimal OptionFeeCapOfValue { get; }

    /// <summary>Limit prices lie within mark x (1 +/- this).</summary>
    public decimal SlippageBand { get; }

    /// <summary>
    /// Auto-deleverage fills are priced at the bankruptcy price, held within mark x (1 +/- this) or, on the counterparties'
    /// side, the position's entry price if that is further (<see cref="BankruptcyPrice.ForDeleveraging"/>).
    /// </summary>
    public decimal AdlPriceBand { get; }

    /// <summary>Contracts per interval of a symbol without its own budget.</summary>
    public decimal DefaultLiquidityBudget { get; }

    /// <summary>Quantity increment of a symbol without its own.</summary>
    public decimal DefaultQuantityIncrement { get; }

    /// <summary>
    /// True for an unwind (<see cref="ForUnwind"/>): every position is closed, whatever the equity, and no fee is charged.
    /// </summary>
    public bool UntilFlat { get; private init; }

    /// <summary>The equity at or above which a pool with maintenance margin <paramref name="maintenanceUsd"/> stops being liquidated.</summary>
    public decimal StopLevel(decimal maintenanceUsd) => UntilFlat ? decimal.MaxValue : maintenanceUsd * (1 + StopBufferRatio);

    /// <summary>
    /// These parameters for unwinding the insurance fund's own positions: the same steps, budgets, band and increments,
    /// but closed until flat and without a fee (the fee would go from the fund to itself).
    /// </summary>
    public LiquidationParameters ForUnwind() => new(StopBufferRatio, MaxStepFraction, 0m, SlippageBand, DefaultLiquidityBudget, _liquidityBudgets,
        DefaultQuantityIncrement, _quantityIncrements, AdlPriceBand) { UntilFlat = true };

    /// <summary>Contracts of <paramref name="symbol"/> that liquidations may trade per interval.</summary>
    public decimal BudgetFor(string symbol) => _budgets.TryGetValue(symbol, out var b) ? b : DefaultLiquidityBudget;

    /// <summary>The quantity increment liquidation orders in <paramref name="symbol"/> are rounded to.</summary>
    public decimal QuantityIncrementFor(string symbol) => _increments.TryGetValue(symbol, out var i) ? i : DefaultQuantityIncrement;

    /// <summary>
    /// Every increment that is not a whole number of its instrument's lot, one line each naming both: an order cut to it
    /// would be refused by the venue's matching engine, and its fills by the accounts (<c>quantityOffLot</c>). The default
    /// increment is also held to each schedule's lot, for the contracts it lists later. None when all fit.
    /// </summary>
    /// <param name="instruments">The instruments liquidations may trade (listed, and listed later by the schedules).</param>
    /// <param name="schedules">The listing schedules.</param>
    public IReadOnlyList<string> IncrementsOffLot(IEnumerable<Instruments.Instrument> instruments, IEnumerable<Instruments.ListingSchedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(schedules);
        var errors = new List<string>();
        foreach (var instrument in instruments)
        {
            var increment = QuantityIncrementFor(instrument.Symbol);
            if (!instrument.IsOnLot(increment))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{instrument.Symbol}: the liquidation quantity increment {increment} is not a whole number of its lot {instrument.LotSize}."));
            }
        }

        foreach (var schedule in schedules)
        {
            if (DefaultQuantityIncrement % schedule.LotSize != 0m)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"The {schedule.Underlying} {schedule.Settlement} {(schedule.Strikes is null ? "future" : "option")} schedule: the default liquidation quantity increment {DefaultQuantityIncrement} is not a whole number of its lot {schedule.LotSize}."));
            }
        }

        return errors;
    }
}
