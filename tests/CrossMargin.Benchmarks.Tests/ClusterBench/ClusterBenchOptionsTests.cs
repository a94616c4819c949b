using CrossMargin.Benchmarks.ClusterBench;

namespace CrossMargin.Benchmarks.Tests.ClusterBench;

public sealed class ClusterBenchOptionsTests
{
    [Fact]
    public void Without_arguments_five_end_to_end_phases_alternate_with_six_raw_ones()
    {
        var options = ClusterBenchOptions.Parse([]);

        Assert.Equal(5, options.Rounds);
        Assert.Equal(new ClusterBenchOptions(), options);
    }

    [Fact]
    public void Rounds_are_set_beside_the_other_options()
    {
        var options = ClusterBenchOptions.Parse(["--executions", "20000", "--rounds", "3", "--queue", "classic", "--settle", "0"]);

        Assert.Equal(new ClusterBenchOptions(Executions: 20_000, Rounds: 3, QueueType: "classic", Settle: 0), options);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void Rounds_must_be_a_positive_integer(string rounds)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--rounds", rounds]));

        Assert.StartsWith("--rounds needs a positive integer.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_without_its_value_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--rounds"]));

        Assert.StartsWith("--rounds needs a value.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_refused_with_the_usage_that_names_rounds()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--pairs", "3"]));

        Assert.Contains("Unknown option --pairs", error.Message, StringComparison.Ordinal);
        Assert.Contains("[--rounds N]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_node_is_refused_because_the_fail_over_figure_kills_one()
    {
        Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--nodes", "1"]));
    }
}
