using CrossMargin.Risk.Liquidation;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Forced liquidation and the insurance fund (config/liquidation.json, section <c>Liquidation</c>).</summary>
public sealed class LiquidationOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Liquidation";

    /// <summary>Liquidation stops once equity is at least maintenance margin x (1 + this).</summary>
    public decimal StopBufferRatio { get; set; } = 0.05m;

    /// <summary>Largest fraction of a position one step closes.</summary>
    public decimal MaxStepFraction { get; set; } = 0.25m;

    /// <summary>Liquidation fee as a fraction of the notional closed; paid into the insurance fund.</summary>
    public decimal FeeRate { get; set; } = 0.005m;

    /// <summary>
    /// The most a liquidation fee on an option may be, as a fraction of the closed options' value at mark, in [0, 1]
    /// (default 12.5%, Deribit's cap): the rate is on the underlying's notional, far more than a cheap option is worth.
    /// </summary>
    public decimal OptionFeeCapOfValue { get; set; } = LiquidationFee.OptionFeeCapOfValue;

    /// <summary>How far from the mark a liquidation order's limit price may be.</summary>
    public decimal SlippageBand { get; set; } = 0.02m;

    /// <summary>
    /// How far from the mark an auto-deleverage fill may be priced beyond the position's entry price: the bankruptcy price,
    /// held at the entry or mark x (1 +/- this), whichever is further; the deficit beyond stays with the bankrupt account
    /// (the fund covers it if it can, else it is recorded uncovered).
    /// </summary>
    public decimal AdlPriceBand { get; set; } = LiquidationParameters.StandardAdlPriceBand;

    /// <summary>Contracts per instrument that forced orders may trade per <see cref="BudgetInterval"/>, shared by all liquidations.</summary>
    public decimal DefaultLiquidityBudget { get; set; } = 2_000m;

    /// <summary>Budgets for particular instruments, overriding the default.</summary>
    public Dictionary<string, decimal> LiquidityBudgets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The smallest order quantity step (contracts) for instruments without their own.</summary>
    public decimal DefaultQuantityIncrement { get; set; } = 1m;

    /// <summary>Order quantity steps for particular instruments.</summary>
    public Dictionary<string, decimal> QuantityIncrements { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The interval the liquidity budget renews over.</summary>
    public TimeSpan BudgetInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a liquidation order may stay unreported before it is treated as unfilled.</summary>
    public TimeSpan OrderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long auto-deleveraging collects candidate positions from the accounts.</summary>
    public TimeSpan AdlCollectWindow { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long after an order expired unreported (or was still out when its liquidation ended) a late report of it still
    /// charges its fill's fee; the coordinator forgets it then. Longer than <see cref="OrderTimeout"/>; a day by default.
    /// </summary>
    public TimeSpan LateReportHorizon { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Steps in a row the book fills nothing of before a solvent account's position is taken over (auto-deleveraged at its
    /// bankruptcy price); 0, the default, never: a solvent account's liquidation keeps asking the book.
    /// </summary>
    public int TakeOverAfterUnfilledSteps { get; set; }

    /// <summary>
    /// The insurance fund's own account (an account id no trader may use): when auto-deleveraging finds no counterparty
    /// in profit, the fund takes the position over into it at the bankruptcy price, if it can bear it, and the coordinator
    /// unwinds it through the book. Empty or absent: off (the round stalls, as before).
    /// </summary>
    public string? FundAccount { get; set; }

    /// <summary>The pure parameters; throws <see cref="ArgumentOutOfRangeException"/> naming the bad setting.</summary>
    public LiquidationParameters ToParameters() => new(StopBufferRatio, MaxStepFraction, FeeRate, SlippageBand, DefaultLiquidityBudget,
        LiquidityBudgets, DefaultQuantityIncrement, QuantityIncrements, AdlPriceBand, OptionFeeCapOfValue);

    /// <summary>Every problem with these options, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        try
        {
            _ = ToParameters();
        }
        catch (ArgumentException e)
        {
            errors.Add($"Liquidation: {e.Message}");
        }

        foreach (var (name, value) in new[] { (nameof(BudgetInterval), BudgetInterval), (nameof(OrderTimeout), OrderTimeout), (nameof(AdlCollectWindow), AdlCollectWindow) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Liquidation:{name} must be positive, not {value}.");
            }
        }

        if (LateReportHorizon <= OrderTimeout)
        {
            errors.Add($"Liquidation:{nameof(LateReportHorizon)} must be longer than {nameof(OrderTimeout)} ({OrderTimeout}), not {LateReportHorizon}.");
        }

        if (FundAccount is { Length: > 0 } fundAccount && (fundAccount.Trim() != fundAccount || fundAccount.Length > 128))
        {
            errors.Add($"Liquidation:{nameof(FundAccount)} must be an account id without surrounding spaces, of at most 128 characters, not '{fundAccount}'.");
        }

        if (TakeOverAfterUnfilledSteps < 0)
        {
            errors.Add($"Liquidation:{nameof(TakeOverAfterUnfilledSteps)} must be 0 (never) or more, not {TakeOverAfterUnfilledSteps}.");
        }

        return errors;
    }
}
