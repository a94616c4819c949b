using CrossMargin.Benchmarks.ClusterBench;

namespace CrossMargin.Benchmarks.Tests.ClusterBench;

public sealed class InterleavedRatioTests
{
    // R 8,000 E 7,000 R 12,000 E 5,500 R 10,000 E 12,000 R 14,000, worked by hand:
    // raw sorted 8,000 10,000 12,000 14,000: median (10,000 + 12,000) / 2 = 11,000;
    // end to end sorted 5,500 7,000 12,000: median 7,000; the figure 7,000 / 11,000 = 0.63636...;
    // pairs: 7,000 / ((8,000 + 12,000) / 2 = 10,000) = 0.70, 5,500 / ((12,000 + 10,000) / 2 = 11,000) = 0.50,
    // 12,000 / ((10,000 + 14,000) / 2 = 12,000) = 1.00: median 0.70, lowest 0.50, highest 1.00, spread 0.50.
    private static readonly double[] Raw = [8_000, 12_000, 10_000, 14_000];
    private static readonly double[] EndToEnd = [7_000, 5_500, 12_000];

    [Fact]
    public void The_figure_is_the_median_end_to_end_rate_over_the_median_raw_rate()
    {
        var ratio = InterleavedRatio.Of(Raw, EndToEnd);

        Assert.Equal(11_000, ratio.MedianRaw);
        Assert.Equal(7_000, ratio.MedianEndToEnd);
        Assert.Equal(0.636_363_636_363_6, ratio.Ratio, 12);
    }

    [Fact]
    public void Each_end_to_end_phase_is_paired_with_the_mean_of_the_raw_phases_either_side_of_it()
    {
        var ratio = InterleavedRatio.Of(Raw, EndToEnd);

        Assert.Equal(
            [new PairRatio(1, 8_000, 7_000, 12_000), new PairRatio(2, 12_000, 5_500, 10_000), new PairRatio(3, 10_000, 12_000, 14_000)],
            ratio.Pairs);
        Assert.Equal([10_000, 11_000, 12_000], ratio.Pairs.Select(p => p.RawMean));
        Assert.Equal([0.70, 0.50, 1.00], ratio.Pairs.Select(p => Math.Round(p.Ratio, 12)));
    }

    [Fact]
    public void The_pairs_spread_is_their_highest_ratio_less_their_lowest()
    {
        var ratio = InterleavedRatio.Of(Raw, EndToEnd);

        Assert.Equal(0.70, ratio.PairMedian, 12);
        Assert.Equal(0.50, ratio.PairLowest, 12);
        Assert.Equal(1.00, ratio.PairHighest, 12);
        Assert.Equal(0.50, ratio.PairSpread, 12);
    }

    [Fact]
    public void One_slow_phase_moves_the_median_not_at_all()
    {
        // A neighbour's burst halves the third raw phase: the median raw stays (12,000 + 12,000) / 2 = 12,000.
        var ratio = InterleavedRatio.Of([12_000, 11_000, 6_000, 13_000, 12_000, 12_000], [9_000, 9_000, 9_000, 9_000, 9_000]);

        Assert.Equal(12_000, ratio.MedianRaw);
        Assert.Equal(0.75, ratio.Ratio, 12);
    }

    [Fact]
    public void One_round_is_a_raw_phase_either_side_of_one_end_to_end_phase()
    {
        var ratio = InterleavedRatio.Of([10_000, 14_000], [9_000]);

        Assert.Equal(12_000, ratio.MedianRaw);
        Assert.Equal(0.75, ratio.Ratio, 12);
        Assert.Equal(0.75, Assert.Single(ratio.Pairs).Ratio, 12);
        Assert.Equal(0, ratio.PairSpread);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(2, 3)]
    [InlineData(5, 3)]
    [InlineData(1, 0)]
    public void Phases_that_do_not_run_raw_first_and_last_are_refused(int rawCount, int endToEndCount)
    {
        var error = Assert.Throws<ArgumentException>(() => InterleavedRatio.Of(Enumerable.Repeat(10_000.0, rawCount).ToArray(), Enumerable.Repeat(9_000.0, endToEndCount).ToArray()));

        Assert.Contains("R E R ... E R", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_not_positive_and_finite_is_refused(double bad)
    {
        Assert.Throws<ArgumentException>(() => InterleavedRatio.Of([10_000, bad], [9_000]));
        Assert.Throws<ArgumentException>(() => InterleavedRatio.Of([10_000, 12_000], [bad]));
    }

    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(5, InterleavedRatio.Median([9, 1, 5]));
        Assert.Equal(4, InterleavedRatio.Median([9, 1, 5, 3]));
        Assert.Equal(7, InterleavedRatio.Median([7]));
        Assert.Throws<ArgumentException>(() => InterleavedRatio.Median([]));
    }
}
