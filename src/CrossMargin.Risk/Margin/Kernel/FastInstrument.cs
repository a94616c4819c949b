namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// One instrument of a <see cref="StandardKernelMarket"/> in doubles, for <see cref="DoubleFigures"/>: each value with
/// the scale of its decimal (trailing zeros dropped), so that the double path knows which decimal results are exact
/// multiples of which power of ten.
/// </summary>
internal struct FastInstrument
{
    public double Size;
    public double Mark;
    public double Quote;
    public double Settlement;
    public double ValuePerContract;
    public double ShortInitial;
    public double ShortMaintenance;
    public int SizeScale;
    public int MarkScale;
    public int QuoteScale;
    public int SettlementScale;
    public int ValuePerContractScale;
    public int ShortInitialScale;
    public int ShortMaintenanceScale;

    /// <summary>The largest scale of any bracket's initial or maintenance rate.</summary>
    public int RateScale;

    /// <summary>The largest scale of any bracket's initial or maintenance amount.</summary>
    public int AmountScale;

    /// <summary>
    /// A future's notional per unit of quantity: size x mark x quote (linear) or size x quote (inverse), multiplied
    /// once per snapshot rather than per line (as many roundings either way, so the same error bound).
    /// </summary>
    public double NotionalPerUnit;

    /// <summary>The scale of <see cref="NotionalPerUnit"/>'s decimal product (the sum of its factors' scales).</summary>
    public int NotionalScale;

    /// <summary>
    /// A bound, in units of 10^-28, on what the decimal notional's roundings at 28 places can add up to:
    /// ((|q| x size) x mark) x quote (linear) or (|q| x size) x quote (inverse), each rounding times the factors after it.
    /// </summary>
    public double NotionalRoundings;

    /// <summary>
    /// A future's largest decimal intermediate (contracts, contracts x mark, the notional) per unit of notional:
    /// 1 + (1 + 1 / |mark|) / |quote|, for the overflow guard (a bound with a margin of orders of magnitude).
    /// </summary>
    public double LargestPerNotional;

    /// <summary>The risk-limit brackets (futures only): cap (+infinity for the last), rates and amounts.</summary>
    public FastBracket[]? Brackets;
}
