using System.Text;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Snapshots;

/// <summary>The behaviour every snapshot store backend must have.</summary>
public abstract class SnapshotStoreSpec : IAsyncLifetime
{
    private StoreUnderTest _store = null!;

    protected ManualTimeProvider Time { get; } = new();

    public async Task InitializeAsync() => _store = await OpenAsync(Time);

    public virtual async Task DisposeAsync() => await _store.DisposeAsync().AsTask().Within();

    [Fact]
    public async Task Load_returns_the_latest_snapshot_at_or_below_the_sequence_number()
    {
        var pid = Events.NewPersistenceId();
        var snapshots = _store.Snapshots;
        await snapshots.SaveAsync(pid, 10, State("ten")).Within();
        Time.Advance(TimeSpan.FromMinutes(1));
        await snapshots.SaveAsync(pid, 20, State("twenty")).Within();

        var latest = await snapshots.LoadAsync(pid).Within();
        var atFifteen = await snapshots.LoadAsync(pid, 15).Within();
        var atTen = await snapshots.LoadAsync(pid, 10).Within();

        Assert.Equal(20, latest!.Metadata.SequenceNr);
        Assert.Equal(State("twenty"), latest.Snapshot);
        Assert.Equal(ManualTimeProvider.Start.AddMinutes(1), latest.Metadata.Timestamp);
        Assert.Equal(pid, latest.Metadata.PersistenceId);
        Assert.Equal(State("ten"), atFifteen!.Snapshot);
        Assert.Equal(10, atTen!.Metadata.SequenceNr);
    }

    [Fact]
    public async Task Load_returns_null_when_there_is_no_snapshot_at_or_below_the_sequence_number()
    {
        var pid = Events.NewPersistenceId();
        await _store.Snapshots.SaveAsync(pid, 10, State("ten")).Within();

        Assert.Null(await _store.Snapshots.LoadAsync(Events.NewPersistenceId()).Within());
        Assert.Null(await _store.Snapshots.LoadAsync(pid, 9).Within());
    }

    [Fact]
    public async Task Delete_removes_the_snapshots_at_or_below_the_sequence_number()
    {
        var pid = Events.NewPersistenceId();
        foreach (var seq in new[] { 5L, 10L, 15L })
        {
            await _store.Snapshots.SaveAsync(pid, seq, State($"s{seq}")).Within();
        }

        await _store.Snapshots.DeleteAsync(pid, 10).Within();

        Assert.Null(await _store.Snapshots.LoadAsync(pid, 14).Within());
        Assert.Equal(15, (await _store.Snapshots.LoadAsync(pid).Within())!.Metadata.SequenceNr);
    }

    [Fact]
    public async Task Saving_the_same_sequence_number_again_replaces_the_snapshot()
    {
        var pid = Events.NewPersistenceId();
        await _store.Snapshots.SaveAsync(pid, 7, State("first")).Within();
        await _store.Snapshots.SaveAsync(pid, 7, new SerializedPayload("account-state", 2, Encoding.UTF8.GetBytes("second"))).Within();

        var loaded = await _store.Snapshots.LoadAsync(pid).Within();

        Assert.Equal(new SerializedPayload("account-state", 2, Encoding.UTF8.GetBytes("second")), loaded!.Snapshot);
    }

    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider time);

    private static SerializedPayload State(string text) => new("account-state", 1, Encoding.UTF8.GetBytes(text));
}
