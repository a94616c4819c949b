namespace CrossMargin.Engine.Prices;

/// <summary>Settings of the price pipeline, bound from the <c>Prices</c> configuration section.</summary>
public sealed class PriceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Prices";

    /// <summary>
    /// The most a MarketSnapshot accepts as an implied vol; a bound above it would let a snapshot fail to build.
    /// </summary>
    private const double SnapshotVolCeiling = 10;

    private const int MaxIndexJumpConfirmations = 100;

    private static readonly TimeSpan MaxMarkAgeCeiling = TimeSpan.FromHours(1);

    private static readonly TimeSpan MaxFutureSkewCeiling = TimeSpan.FromMinutes(1);

    /// <summary>
    /// An index or mark whose timestamp is older than this, at the node's clock, is refused as stale. Default 5 s:
    /// venues mark every second or so, and a margin call on a price several seconds old is one the account can dispute.
    /// At most one hour.
    /// </summary>
    public TimeSpan MaxMarkAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far ahead of the node's clock a timestamp may be (clock skew between the feed and us). Default 1 s; beyond
    /// it the feed's clock is wrong, and accepting the price would make every later, correct one look out of order.
    /// At most one minute.
    /// </summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Widest accepted distance of a perpetual's or future's mark from its underlying's index, as a fraction of the
    /// index (0.10 = 10%, the default). Guards against a fat-fingered or corrupt mark liquidating accounts. Options are
    /// not banded by price (their price is far from the index by nature); their vol is bounded instead, and their mark
    /// must be below the most the option can be worth.
    /// </summary>
    public decimal MarkBandFraction { get; set; } = 0.10m;

    /// <summary>
    /// How far an option's mark given with a vol may be from its Black-76 price at that vol (on the forward at the current
    /// index), as a fraction of that price, beyond one tick (default 0.25 = 25%; positive, at most 10). The tick is always
    /// allowed: a feed rounds marks to the tick and floors a cheaper option's at one tick. Equity uses the mark and the
    /// scenarios the vol, so the two must tell the same story; the slack is wide because a venue's forward may differ a
    /// little from the one built here, which moves a cheap option's price by a large fraction.
    /// </summary>
    public double OptionVolBandFraction { get; set; } = 0.25;

    /// <summary>Lowest accepted implied vol of an option mark (default 0.01 = 1%).</summary>
    public double MinImpliedVolatility { get; set; } = 0.01;

    /// <summary>Highest accepted implied vol of an option mark (default 5.0 = 500%; at most 10).</summary>
    public double MaxImpliedVolatility { get; set; } = 5.0;

    /// <summary>
    /// Widest accepted move of an index from the last one accepted for the same asset, as a fraction of that last one
    /// (0.10 = 10%, the default; between 0 and 1, exclusive). Beyond it the update is refused as
    /// <see cref="PriceRejectionReason.IndexJump"/> and nothing moves: the index is what every holder is margined at and
    /// every mark is banded against, and one corrupt or fat-fingered tick would otherwise re-margin and liquidate the
    /// book. Crypto indices tick every second or so and have not moved 10% between two ticks outside an outage; 10% is
    /// also <see cref="MarkBandFraction"/>, so a tick the band refuses is one that would have put every held mark that was
    /// correct a second ago out of band. A real move that large gets through by confirmation
    /// (<see cref="IndexJumpConfirmations"/>) or an operator's <see cref="AcceptNextIndex"/>. There is no "off": zero is
    /// refused at start, as a band that refuses every move would be.
    /// </summary>
    public decimal MaxIndexMoveFraction { get; set; } = 0.10m;

    /// <summary>
    /// How many consecutive refused index jumps of an asset accept the level they agree on: the update that makes this
    /// many, each with a later feed timestamp than the one before and within <see cref="MaxIndexMoveFraction"/> of it, is
    /// accepted (default 5: five seconds of a feed that ticks every second insisting on the new level; 0 = only an
    /// operator's <see cref="AcceptNextIndex"/> lets a jump through; at most 100). Only for a level within a factor of
    /// <see cref="ConfirmableJumpFactor"/> of the last accepted index: a feed stuck at a wrong level (a unit change, a
    /// misplaced decimal point moves by ten or more) is refused however often it repeats. Counted on the feed's updates
    /// and their timestamps, never the node's clock, so every node given the same updates decides the same.
    /// </summary>
    public int IndexJumpConfirmations { get; set; } = 5;

    /// <summary>
    /// The largest factor between the last accepted index and a level that <see cref="IndexJumpConfirmations"/> can
    /// accept (2: a halving or a doubling); beyond it only an operator can. Not configurable: no gap in a major crypto
    /// index a feed resumed after has halved or doubled it, and the errors that repeat (units, decimal point) are tenfold.
    /// </summary>
    public const decimal ConfirmableJumpFactor = 2m;

    /// <summary>
    /// Widest accepted move of an index from any index of the same asset accepted within the last
    /// <see cref="IndexMoveWindow"/> of feed time, as a fraction of that one: bounds a walk of ticks each inside
    /// <see cref="MaxIndexMoveFraction"/> (ten ticks of +9.9% are 2.57 times the start). Beyond it the update is refused as
    /// <see cref="PriceRejectionReason.IndexJump"/>, and confirmation or an operator's <see cref="AcceptNextIndex"/> lets
    /// it through as they do a jump (the level they accept starts the window afresh). Default 0: off. Not on by default
    /// because a bound that holds a real crash back (the index then lags the market, marks are refused against it and
    /// margin is called late) needs the venue's own record of how far its indices move in a window, which we do not
    /// have; a risk team that sets it should set it above the largest move it has seen in one window. When set, at
    /// least <see cref="MaxIndexMoveFraction"/> and below 1. Measured on the feed's timestamps, not the node's clock, so
    /// every node given the same updates decides the same.
    /// </summary>
    public decimal MaxIndexMoveFractionPerWindow { get; set; }

    /// <summary>
    /// The span of feed time <see cref="MaxIndexMoveFractionPerWindow"/> bounds moves over (default one minute; between
    /// one second and one hour).
    /// </summary>
    public TimeSpan IndexMoveWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often at most each asset's last accepted index is saved (with the engine's snapshot store), so that a restarted
    /// node bands its first index against it rather than its market file's: after an accepted index, its state is saved
    /// once this has passed, with whatever was accepted by then. Default 5 s: a restart then bands against an index at most
    /// 5 s older than the last one accepted (five ticks of a feed that ticks every second, well inside the band in any
    /// market the band lets through tick by tick), for one small write per asset per 5 s per node, where indices arrive
    /// many times a second. An operator's accept-next-index, armed or spent, is saved at once. Between one second and
    /// ten minutes.
    /// </summary>
    public TimeSpan IndexSaveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Shortest time between two snapshots. Default zero: a snapshot as soon as the previous one is done, bursts being
    /// conflated by the publisher's mailbox alone. A positive value caps the CPU spent on snapshots and scenario vectors
    /// under a very busy feed, at the price of up to that much latency within a burst;
    /// the first update after a quiet spell longer than the interval is published at once.
    /// </summary>
    public TimeSpan MinSnapshotInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long the market may go without a snapshot while options are listed: when it passes with no tick, the market
    /// is valued again at the current time and the holders of the options' underlyings are re-margined, since an option's
    /// value and Greeks change with time alone. A contract's expiry also brings a snapshot at that instant. Default one
    /// minute: an hour's decay of a short-dated option is a real change of margin, a minute's is not, and one snapshot a
    /// minute costs what one tick does. Between one second and one hour.
    /// </summary>
    public TimeSpan RevalueInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an asset may go without an accepted index before it counts as silent: its last price is still margined
    /// on, but nobody refreshes it. While an underlying is silent, liquidation orders and auto-deleveraging on its
    /// instruments pause (as an operator's halt pauses them) until its next accepted index, <c>/metrics</c> counts it and
    /// <c>/ready</c> reports the node degraded, naming it. Default 30 s: six times the default <see cref="MaxMarkAge"/>,
    /// so a feed that ticks every second or so is silent only after dozens of missed ticks. At least
    /// <see cref="MaxMarkAge"/> (an index may already be that old when accepted) and at most one hour.
    /// </summary>
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem with these settings, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        // Bounded above as well: each update computes now - MaxMarkAge and now + MaxFutureSkew, which throw past the
        // calendar's ends, and a price an hour old is no basis for a margin call anyway.
        if (MaxMarkAge <= TimeSpan.Zero || MaxMarkAge > MaxMarkAgeCeiling)
        {
            errors.Add($"{SectionName}:{nameof(MaxMarkAge)} must be positive and at most {MaxMarkAgeCeiling} (was {MaxMarkAge}).");
        }

        if (MaxFutureSkew < TimeSpan.Zero || MaxFutureSkew > MaxFutureSkewCeiling)
        {
            errors.Add($"{SectionName}:{nameof(MaxFutureSkew)} must be between zero and {MaxFutureSkewCeiling} (was {MaxFutureSkew}).");
        }

        if (MarkBandFraction <= 0 || MarkBandFraction >= 1)
        {
            errors.Add($"{SectionName}:{nameof(MarkBandFraction)} must be between 0 and 1, exclusive (was {MarkBandFraction}; 0.1 means 10%).");
        }

        if (MaxIndexMoveFraction <= 0 || MaxIndexMoveFraction >= 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxIndexMoveFraction)} must be between 0 and 1, exclusive (was {MaxIndexMoveFraction}; 0.1 means 10%). There is no value that turns the check off.");
        }

        if (IndexJumpConfirmations < 0 || IndexJumpConfirmations > MaxIndexJumpConfirmations)
        {
            errors.Add($"{SectionName}:{nameof(IndexJumpConfirmations)} must be between 0 (only an operator accepts a jump) and {MaxIndexJumpConfirmations} (was {IndexJumpConfirmations}).");
        }

        if (MaxIndexMoveFractionPerWindow != 0m && (MaxIndexMoveFractionPerWindow < MaxIndexMoveFraction || MaxIndexMoveFractionPerWindow >= 1))
        {
            errors.Add($"{SectionName}:{nameof(MaxIndexMoveFractionPerWindow)} must be 0 (off) or at least {nameof(MaxIndexMoveFraction)} ({MaxIndexMoveFraction}) and below 1 (was {MaxIndexMoveFractionPerWindow}).");
        }

        if (IndexMoveWindow < TimeSpan.FromSeconds(1) || IndexMoveWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(IndexMoveWindow)} must be between one second and one hour (was {IndexMoveWindow}).");
        }

        if (IndexSaveInterval < TimeSpan.FromSeconds(1) || IndexSaveInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{SectionName}:{nameof(IndexSaveInterval)} must be between one second and ten minutes (was {IndexSaveInterval}).");
        }

        if (!double.IsFinite(OptionVolBandFraction) || OptionVolBandFraction <= 0 || OptionVolBandFraction > 10)
        {
            errors.Add($"{SectionName}:{nameof(OptionVolBandFraction)} must be positive and at most 10 (was {OptionVolBandFraction}; 0.25 means 25%).");
        }

        if (!double.IsFinite(MinImpliedVolatility) || MinImpliedVolatility <= 0)
        {
            errors.Add($"{SectionName}:{nameof(MinImpliedVolatility)} must be positive (was {MinImpliedVolatility}).");
        }

        if (!double.IsFinite(MaxImpliedVolatility) || MaxImpliedVolatility > SnapshotVolCeiling || MaxImpliedVolatility <= MinImpliedVolatility)
        {
            errors.Add($"{SectionName}:{nameof(MaxImpliedVolatility)} must be above {nameof(MinImpliedVolatility)} ({MinImpliedVolatility}) and at most {SnapshotVolCeiling} (was {MaxImpliedVolatility}).");
        }

        if (MinSnapshotInterval < TimeSpan.Zero || MinSnapshotInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}:{nameof(MinSnapshotInterval)} must be between zero and one minute (was {MinSnapshotInterval}).");
        }

        if (RevalueInterval < TimeSpan.FromSeconds(1) || RevalueInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:{nameof(RevalueInterval)} must be between one second and one hour (was {RevalueInterval}).");
        }

        // Checked against MaxMarkAge only when that is valid itself: its own error says what is wrong.
        var floor = MaxMarkAge > TimeSpan.Zero && MaxMarkAge <= MaxMarkAgeCeiling ? MaxMarkAge : TimeSpan.Zero;
        if (SilentAfter <= TimeSpan.Zero || SilentAfter < floor || SilentAfter > MaxMarkAgeCeiling)
        {
            errors.Add($"{SectionName}:{nameof(SilentAfter)} must be at least {nameof(MaxMarkAge)} ({MaxMarkAge}; an index may be that old when accepted, so a shorter bound calls a live feed silent) and at most {MaxMarkAgeCeiling} (was {SilentAfter}).");
        }

        return errors;
    }
}
