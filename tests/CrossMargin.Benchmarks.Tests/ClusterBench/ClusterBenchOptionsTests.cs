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

    [Fact]
    public void PostgreSQL_statements_checkpoints_and_settings_are_off_unless_asked_for()
    {
        Assert.Equal((false, false, null), (ClusterBenchOptions.Parse([]).PgStatements, ClusterBenchOptions.Parse([]).PgCheckpoint, ClusterBenchOptions.Parse([]).PgSettings));

        var options = ClusterBenchOptions.Parse(["--pg-statements", "on", "--pg-checkpoint", "on", "--pg-settings", "wal_compression=lz4;wal_buffers=16MB"]);

        Assert.Equal(new ClusterBenchOptions(PgStatements: true, PgCheckpoint: true, PgSettings: "wal_compression=lz4;wal_buffers=16MB"), options);
    }

    [Fact]
    public void The_journal_linger_is_the_nodes_default_unless_asked_for()
    {
        Assert.Null(ClusterBenchOptions.Parse([]).JournalLingerMs);

        Assert.Equal(0, ClusterBenchOptions.Parse(["--journal-linger", "0"]).JournalLingerMs);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1001")]
    [InlineData("0.5")]
    public void A_journal_linger_outside_0_to_1000_ms_is_refused(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse(["--journal-linger", value]));

        Assert.StartsWith("--journal-linger needs 0-1000 milliseconds.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--pg-statements", "yes", "--pg-statements is on or off.")]
    [InlineData("--pg-checkpoint", "1", "--pg-checkpoint is on or off.")]
    [InlineData("--pg-settings", "wal_compression", "--pg-settings takes name=value pairs separated by ;.")]
    public void PostgreSQL_options_with_a_value_they_do_not_take_are_refused(string option, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterBenchOptions.Parse([option, value]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
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
