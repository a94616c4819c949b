using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Prices;

public sealed class PriceOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(new PriceOptions().Validate());
        Assert.True(new PriceOptionsValidator().Validate(null, new PriceOptions()).Succeeded);
    }

    [Fact]
    public void Every_bad_setting_is_named_with_its_value()
    {
        var options = new PriceOptions
        {
            MaxMarkAge = TimeSpan.Zero,
            MaxFutureSkew = TimeSpan.FromSeconds(-1),
            MarkBandFraction = 10m,
            MinImpliedVolatility = double.NaN,
            MaxImpliedVolatility = 20,
            MinSnapshotInterval = TimeSpan.FromMinutes(5),
            RevalueInterval = TimeSpan.Zero,
        };

        var errors = options.Validate();

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Prices:MaxMarkAge must be positive and at most 01:00:00 (was 00:00:00)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Prices:MaxFutureSkew must be between zero and 00:01:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MarkBandFraction must be between 0 and 1, exclusive (was 10; 0.1 means 10%)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Prices:MinImpliedVolatility must be positive (was NaN)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxImpliedVolatility must be above", StringComparison.Ordinal) && e.Contains("(was 20)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Prices:MinSnapshotInterval must be between zero and one minute", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Prices:RevalueInterval must be between one second and one hour (was 00:00:00)", StringComparison.Ordinal));
        var result = new PriceOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(errors, result.Failures);
    }

    /// <summary>
    /// The index move band has no "off": 0 (what an absent or mistyped setting might become) and anything from 1 up are
    /// refused at start, as are confirmation counts below 0 or above 100; 0 confirmations (operator only) is valid.
    /// </summary>
    [Theory]
    [InlineData(0, 5, "Prices:MaxIndexMoveFraction must be between 0 and 1, exclusive (was 0; 0.1 means 10%). There is no value that turns the check off.")]
    [InlineData(1, 5, "Prices:MaxIndexMoveFraction must be between 0 and 1, exclusive (was 1; 0.1 means 10%). There is no value that turns the check off.")]
    [InlineData(0.1, -1, "Prices:IndexJumpConfirmations must be between 0 (only an operator accepts a jump) and 100 (was -1).")]
    [InlineData(0.1, 101, "Prices:IndexJumpConfirmations must be between 0 (only an operator accepts a jump) and 100 (was 101).")]
    public void An_index_move_band_that_is_off_or_out_of_range_is_refused_at_start(double fraction, int confirmations, string error)
    {
        var options = new PriceOptions { MaxIndexMoveFraction = (decimal)fraction, IndexJumpConfirmations = confirmations };

        Assert.Equal([error], options.Validate());
        Assert.Empty(new PriceOptions { IndexJumpConfirmations = 0 }.Validate());
        Assert.Equal((0.10m, 5), (new PriceOptions().MaxIndexMoveFraction, new PriceOptions().IndexJumpConfirmations));
    }

    /// <summary>
    /// The window band is 0 (off, the default) or from the tick band (10%) to below 1; its window from a second to an hour;
    /// the index save interval from a second to ten minutes (default 5 s).
    /// </summary>
    [Theory]
    [InlineData(0.05, 60, 5, "Prices:MaxIndexMoveFractionPerWindow must be 0 (off) or at least MaxIndexMoveFraction (0.10) and below 1 (was 0.05).")]
    [InlineData(1, 60, 5, "Prices:MaxIndexMoveFractionPerWindow must be 0 (off) or at least MaxIndexMoveFraction (0.10) and below 1 (was 1).")]
    [InlineData(0.2, 0.5, 5, "Prices:IndexMoveWindow must be between one second and one hour (was 00:00:00.5000000).")]
    [InlineData(0.2, 3601, 5, "Prices:IndexMoveWindow must be between one second and one hour (was 01:00:01).")]
    [InlineData(0, 60, 0.5, "Prices:IndexSaveInterval must be between one second and ten minutes (was 00:00:00.5000000).")]
    [InlineData(0, 60, 601, "Prices:IndexSaveInterval must be between one second and ten minutes (was 00:10:01).")]
    public void A_window_band_or_save_interval_out_of_range_is_refused_at_start(double fraction, double windowSeconds, double saveSeconds, string error)
    {
        var options = new PriceOptions
        {
            MaxIndexMoveFractionPerWindow = (decimal)fraction,
            IndexMoveWindow = TimeSpan.FromSeconds(windowSeconds),
            IndexSaveInterval = TimeSpan.FromSeconds(saveSeconds),
        };

        Assert.Equal([error], options.Validate());
        Assert.Empty(new PriceOptions { MaxIndexMoveFractionPerWindow = 0.10m }.Validate());
        var defaults = new PriceOptions();
        Assert.Equal((0m, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5)), (defaults.MaxIndexMoveFractionPerWindow, defaults.IndexMoveWindow, defaults.IndexSaveInterval));
    }

    [Fact]
    public void Ages_and_skews_too_long_for_the_clock_are_refused_at_start()
    {
        // now - MaxMarkAge and now + MaxFutureSkew are taken on every update: a span past the calendar's end threw there,
        // so every price actor was restarted by each update it got and nothing was ever accepted or answered.
        var options = new PriceOptions { MaxMarkAge = TimeSpan.MaxValue, MaxFutureSkew = TimeSpan.MaxValue };

        var errors = options.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Prices:MaxMarkAge must be positive and at most 01:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Prices:MaxFutureSkew must be between zero and 00:01:00", StringComparison.Ordinal));
        Assert.Empty(new PriceOptions { MaxMarkAge = TimeSpan.FromHours(1), MaxFutureSkew = TimeSpan.FromMinutes(1), SilentAfter = TimeSpan.FromHours(1) }.Validate());
    }

    [Fact]
    public void A_silence_bound_shorter_than_the_accepted_age_of_an_index_or_longer_than_an_hour_is_refused_at_start()
    {
        // An index 5 s old is accepted: a 4 s bound would call a feed that delivers exactly that silent on arrival.
        var tooShort = new PriceOptions { MaxMarkAge = TimeSpan.FromSeconds(5), SilentAfter = TimeSpan.FromSeconds(4) };
        var tooLong = new PriceOptions { SilentAfter = TimeSpan.FromHours(2) };
        var zero = new PriceOptions { SilentAfter = TimeSpan.Zero };

        Assert.Equal(
            ["Prices:SilentAfter must be at least MaxMarkAge (00:00:05; an index may be that old when accepted, so a shorter bound calls a live feed silent) and at most 01:00:00 (was 00:00:04)."],
            tooShort.Validate());
        Assert.Equal(["Prices:SilentAfter must be at least MaxMarkAge (00:00:05; an index may be that old when accepted, so a shorter bound calls a live feed silent) and at most 01:00:00 (was 02:00:00)."],
            tooLong.Validate());
        Assert.Single(zero.Validate());
        Assert.Equal(TimeSpan.FromSeconds(30), new PriceOptions().SilentAfter);
        Assert.Empty(new PriceOptions { SilentAfter = TimeSpan.FromSeconds(5) }.Validate());
    }

    [Fact]
    public void Feed_refuses_to_start_with_a_definition_the_initial_market_cannot_price()
    {
        var market = TestMarket.Build();
        var definition = MarketDefinition.Of(market, ["BTC", "ETH", "USDT", "USD", "DOGE"]);

        var error = Assert.Throws<ArgumentException>(() => PriceFeed.Props(definition, new LatestMarket(market), [], new PriceOptions()));

        Assert.Contains("Asset DOGE has no index price in the initial market.", error.Message, StringComparison.Ordinal);
        Assert.Contains("BTCUSDC needs asset USDC, which is not among the assets.", error.Message, StringComparison.Ordinal);
    }
}
