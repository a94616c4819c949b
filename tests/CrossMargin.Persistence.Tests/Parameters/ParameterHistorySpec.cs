using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Parameters;

/// <summary>
/// What every parameter history backend must do. Slots are unique per test so the PostgreSQL class can share one
/// database between its tests.
/// </summary>
public abstract class ParameterHistorySpec : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _opened = [];

    protected ManualTimeProvider Time { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync().AsTask().Within();
        }
    }

    [Fact]
    public async Task Appends_are_numbered_per_slot_from_one_and_read_back_as_written()
    {
        var history = await OpenAsync();
        var (standard, portfolio) = (Slot("standard"), Slot("portfolio"));

        var first = await history.AppendAsync(Proposal(standard, "{\"a\":1}", reason: "tighter tiers"), 0).Within();
        Time.Advance(TimeSpan.FromTicks(12_345_678));
        var second = await history.AppendAsync(Proposal(standard, "{\"a\":2}"), 1).Within();
        var other = await history.AppendAsync(Proposal(portfolio, "{\"b\":1}"), 0).Within();
        var read = await history.HistoryAsync(standard).Within();

        Assert.Equal((1L, 2L, 1L), (first.Version, second.Version, other.Version));
        Assert.Equal([second, first], read);
        Assert.Equal("tighter tiers", read[1].Reason);
        Assert.Null(read[0].Reason);
        Assert.Equal("ops", read[0].AppliedBy);
        Assert.Equal(ManualTimeProvider.Start.AddTicks(12_345_670), read[0].AppliedAt);
    }

    [Fact]
    public async Task An_append_expecting_an_older_version_is_refused_with_both_numbers_and_writes_nothing()
    {
        var history = await OpenAsync();
        var slot = Slot("standard");
        await history.AppendAsync(Proposal(slot, "{\"a\":1}"), 0).Within();
        await history.AppendAsync(Proposal(slot, "{\"a\":2}"), 1).Within();

        var stale = await Assert.ThrowsAsync<ParameterVersionConflictException>(() => history.AppendAsync(Proposal(slot, "{\"a\":3}"), 1)).Within();
        var ahead = await Assert.ThrowsAsync<ParameterVersionConflictException>(() => history.AppendAsync(Proposal(slot, "{\"a\":4}"), 5)).Within();

        Assert.Equal((1L, 2L), (stale.Expected, stale.Actual));
        Assert.Equal((5L, 2L), (ahead.Expected, ahead.Actual));
        Assert.Equal([2L, 1L], (await history.HistoryAsync(slot).Within()).Select(s => s.Version));
    }

    [Fact]
    public async Task Of_operators_applying_at_once_against_the_same_version_exactly_one_wins()
    {
        var history = await OpenAsync();
        var second = await OpenAsync();
        var slot = Slot("portfolio");
        await history.AppendAsync(Proposal(slot, "{\"a\":0}"), 0).Within();

        var attempts = Enumerable.Range(0, 8).Select(i => Attempt((i % 2 == 0 ? history : second).AppendAsync(Proposal(slot, $"{{\"a\":{i + 1}}}"), 1))).ToArray();
        var outcomes = await Task.WhenAll(attempts).Within();

        Assert.Single(outcomes, o => o is StoredParameterSet { Version: 2 });
        Assert.All(outcomes.Where(o => o is not StoredParameterSet), o => Assert.Equal(2L, Assert.IsType<ParameterVersionConflictException>(o).Actual));
        Assert.Equal([2L, 1L], (await history.HistoryAsync(slot).Within()).Select(s => s.Version));
    }

    [Fact]
    public async Task Latest_is_the_newest_version_of_every_slot_and_survives_reopening()
    {
        var history = await OpenAsync();
        var (a, b) = (Slot("var"), Slot("es"));
        await history.AppendAsync(Proposal(a, "{\"v\":1}"), 0).Within();
        await history.AppendAsync(Proposal(a, "{\"v\":2}"), 1).Within();
        await history.AppendAsync(Proposal(b, "{\"e\":1}"), 0).Within();

        var reopened = await OpenAsync();
        var latest = (await reopened.LatestAsync().Within()).Where(s => s.Slot == a || s.Slot == b).ToDictionary(s => s.Slot, s => (s.Version, s.Content));

        Assert.Equal((2L, "{\"v\":2}"), latest[a]);
        Assert.Equal((1L, "{\"e\":1}"), latest[b]);
    }

    /// <summary>Opens a store on the test's database (every store opened by one test shares it).</summary>
    protected abstract Task<(IParameterHistory History, IAsyncDisposable Owner)> OpenStoreAsync();

    private static string Slot(string name) => $"{name}-{Guid.NewGuid():N}";

    private static ParameterSetAppend Proposal(string slot, string content, string? reason = null) =>
        new(slot, content.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), content, "standard",
            "test parameters", "ops", reason);

    private static async Task<object> Attempt(Task<StoredParameterSet> append)
    {
        try
        {
            return await append;
        }
        catch (ParameterVersionConflictException e)
        {
            return e;
        }
    }

    private async Task<IParameterHistory> OpenAsync()
    {
        var (history, owner) = await OpenStoreAsync();
        _opened.Add(owner);
        return history;
    }
}
