using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Tests.Infrastructure;
using Npgsql;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// The per-append NOTIFY between processes (two <see cref="PostgresPersistence"/> instances on one database stand for
/// two nodes): on by default, it wakes a live reader elsewhere at once; turned off, appends send none and such a
/// reader still finds the events at its poll.
/// </summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresJournalNotificationTests(PostgresServerFixture fixture)
{
    private readonly PostgresBackend _backend = new(fixture, "journal_notify");

    [Fact]
    public async Task A_live_reader_in_another_process_wakes_on_an_append_long_before_its_poll()
    {
        var connectionString = await _backend.ConnectionStringAsync();
        await using var writer = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, TimeProvider.System).Within();
        await using var reader = await PostgresPersistence.OpenAsync(
            new PostgresPersistenceOptions { ConnectionString = connectionString, PollInterval = TimeSpan.FromHours(1) }, TimeProvider.System).Within();
        var tag = Events.NewTag();
        using var stop = new CancellationTokenSource();
        var first = FirstAsync(reader, tag, stop.Token);

        await writer.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId(), 1, 1, "writer-1", tag)]).Within();

        // The reader's next poll is an hour away: only the notification can bring the event within the bound.
        Assert.Equal(tag, (await first.Within()).Tag);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task With_notifications_off_an_append_sends_none_and_a_live_reader_elsewhere_finds_it_at_its_poll()
    {
        var connectionString = await _backend.ConnectionStringAsync();
        var options = new PostgresPersistenceOptions { ConnectionString = connectionString, NotifyOnAppend = false };
        await using var writer = await PostgresPersistence.OpenAsync(options, TimeProvider.System).Within();
        await using var reader = await PostgresPersistence.OpenAsync(
            new PostgresPersistenceOptions { ConnectionString = connectionString, PollInterval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System).Within();
        await using var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        var notified = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref notified);
        await using (var listen = new NpgsqlCommand($"LISTEN {options.NotificationChannel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var tag = Events.NewTag();
        using var stop = new CancellationTokenSource();
        var first = FirstAsync(reader, tag, stop.Token);

        await writer.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId(), 1, 1, "writer-1", tag)]).Within();

        Assert.Equal(tag, (await first.Within()).Tag);
        await stop.CancelAsync();

        // A notification is delivered at commit; the event was read after the commit, so one would have arrived by now
        // or within this wait.
        await listener.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Volatile.Read(ref notified));
    }

    private static async Task<TaggedEvent> FirstAsync(PostgresPersistence store, string tag, CancellationToken cancellationToken)
    {
        await foreach (var tagged in store.Journal.EventsByTag(tag, 0, live: true, cancellationToken))
        {
            return tagged;
        }

        throw new InvalidOperationException("The live stream ended without an event.");
    }
}
