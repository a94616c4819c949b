using System.Text;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// A database written with the first journal layout (migrations 1 and 2: the (persistence_id, sequence_nr) key,
/// deleted markers) is converted by migration 3 and reads back exactly as before, and writing continues on it.
/// </summary>
public sealed class SqliteJournalMigrationTests : IDisposable
{
    private const string Unit = "\u001f";
    private static readonly DateTimeOffset Written = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteBackend _backend = new();

    // (persistence id, sequence number, ordering, tags) as the old journal stored them. "a" and "b" interleave;
    // "c" was deleted entirely (only its marker, sequence 4, is left); "d" up to 2 (rows 1-2 gone). Orderings step
    // by 10 (the rows between belong to nobody here), so each history is sparse and replays by walking its chain,
    // the path that depends on the previous_ordering the migration computes.
    private static readonly (string Pid, long Seq, long Ordering, string[] Tags)[] OldRows =
    [
        ("a", 1, 10, ["t1"]), ("b", 1, 20, []), ("a", 2, 30, ["t1", "t2"]), ("c", 4, 70, []), ("b", 2, 80, ["t1"]),
        ("d", 3, 90, ["t2"]), ("a", 3, 100, []), ("d", 4, 110, []), ("b", 3, 120, ["t1"]), ("a", 4, 130, ["t2"]),
    ];

    public void Dispose() => _backend.DeleteFiles();

    [Fact]
    public async Task An_old_layout_database_migrates_and_replays_every_event_as_it_was_written()
    {
        await CreateOldLayoutAsync();

        await using var persistence = await SqlitePersistence.OpenAsync(_backend.Options, TimeProvider.System).Within();
        var journal = persistence.Journal;

        foreach (var pid in new[] { "a", "b", "d" })
        {
            var replayed = await journal.ReplayMessagesAsync(pid).CollectAsync();
            var expected = OldRows.Where(r => r.Pid == pid && r.Ordering != 70).ToArray();
            Assert.Equal(expected.Select(r => (r.Seq, r.Ordering)), replayed.Select(e => (e.SequenceNr, e.Ordering)));
            Assert.All(replayed, e => Assert.Equal(Payload(e.PersistenceId, e.SequenceNr), e.Payload));
            Assert.Equal(expected.Select(r => string.Join(Unit, r.Tags)), replayed.Select(e => string.Join(Unit, e.Tags)));
            Assert.All(replayed, e => Assert.Equal("old-writer", e.WriterId));
            Assert.All(replayed, e => Assert.Equal(Written, e.Timestamp));
        }

        Assert.Empty(await journal.ReplayMessagesAsync("c").CollectAsync());
        Assert.Equal([2L, 3L], (await journal.ReplayMessagesAsync("a", 2, 3).CollectAsync()).Select(e => e.SequenceNr));
        Assert.Equal([3L, 4L], (await journal.ReplayMessagesAsync("d", 1, max: 2).CollectAsync()).Select(e => e.SequenceNr));
        Assert.Equal((4L, 3L, 4L, 4L), (
            await journal.ReadHighestSequenceNrAsync("a").Within(), await journal.ReadHighestSequenceNrAsync("b").Within(),
            await journal.ReadHighestSequenceNrAsync("c").Within(), await journal.ReadHighestSequenceNrAsync("d").Within()));
        Assert.Equal([10L, 30L, 80L, 120L], (await journal.EventsByTag("t1").CollectAsync()).Select(e => e.Offset));
        Assert.Equal([30L, 90L, 130L], (await journal.EventsByTag("t2").CollectAsync()).Select(e => e.Offset));
    }

    [Fact]
    public async Task Writing_continues_on_a_migrated_database_above_every_old_sequence_number_and_ordering()
    {
        await CreateOldLayoutAsync();

        await using var persistence = await SqlitePersistence.OpenAsync(_backend.Options, TimeProvider.System).Within();
        var journal = persistence.Journal;
        var stale = await journal.WriteMessagesAsync([
            Events.Write("a", 4, 1, "stale"), Events.Write("c", 4, 1, "stale"), Events.Write("c", 5, 1, "stale"),
        ]).Within();
        var results = await journal.WriteMessagesAsync([Events.Write("a", 5, 2, "new", "t1"), Events.Write("e", 1, 1, "new")]).Within();
        var a = await journal.ReplayMessagesAsync("a").CollectAsync();
        var c = await journal.ReplayMessagesAsync("c").CollectAsync();
        var tagged = await journal.EventsByTag("t1", fromOffset: 120).CollectAsync();

        Assert.IsType<JournalSequenceConflictException>(stale[0]);
        Assert.IsType<JournalSequenceConflictException>(stale[1]);
        Assert.IsType<JournalWriteException>(stale[2]);
        Assert.Equal([null, null], results);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], a.Select(e => e.SequenceNr));
        Assert.Equal(["old-writer", "old-writer", "old-writer", "old-writer", "new", "new"], a.Select(e => e.WriterId));
        Assert.Empty(c);
        Assert.Equal([(131L, "a", 5L), (132L, "a", 6L)], tagged.Select(e => (e.Offset, e.Event.PersistenceId, e.Event.SequenceNr)));
    }

    private static SerializedPayload Payload(string pid, long seq) => new("old-event", 3, Encoding.UTF8.GetBytes($"{pid}/{seq}"));

    /// <summary>Runs the embedded migrations 1 and 2 only and fills the tables the way the old journal wrote them.</summary>
    private async Task CreateOldLayoutAsync()
    {
        Directory.CreateDirectory(_backend.DataDirectory);
        await using var connection = new SqliteConnection($"Data Source={_backend.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var sql = new StringBuilder(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL);" +
            "INSERT INTO schema_version VALUES (1, '0001_journal', '2026-11-01T00:00:00Z'), (2, '0002_risk_parameters', '2026-11-01T00:00:00Z');");
        foreach (var name in new[] { "0001_journal.sql", "0002_risk_parameters.sql" })
        {
            await using var stream = typeof(SqlitePersistence).Assembly.GetManifestResourceStream($"CrossMargin.Persistence.Migrations.Sqlite/{name}")
                ?? throw new InvalidOperationException($"migration {name} is not embedded");
            using var reader = new StreamReader(stream);
            sql.Append(await reader.ReadToEndAsync());
        }

        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = sql.ToString();
            await schema.ExecuteNonQueryAsync();
        }

        foreach (var (pid, seq, ordering, tags) in OldRows)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO event_journal (persistence_id, sequence_nr, ordering, manifest, version, payload, tags, writer_id, timestamp, deleted) " +
                "VALUES ($pid, $seq, $ordering, 'old-event', 3, $payload, $tags, 'old-writer', $timestamp, $deleted)";
            insert.Parameters.AddWithValue("$pid", pid);
            insert.Parameters.AddWithValue("$seq", seq);
            insert.Parameters.AddWithValue("$ordering", ordering);
            insert.Parameters.AddWithValue("$payload", Payload(pid, seq).Bytes.ToArray());
            insert.Parameters.AddWithValue("$tags", string.Join(Unit, tags));
            insert.Parameters.AddWithValue("$timestamp", Written.ToUnixTimeMilliseconds() * 1000);
            insert.Parameters.AddWithValue("$deleted", pid == "c" ? 1 : 0);
            await insert.ExecuteNonQueryAsync();
            foreach (var tag in tags)
            {
                await using var tagInsert = connection.CreateCommand();
                tagInsert.CommandText = "INSERT INTO event_tag (tag, ordering) VALUES ($tag, $ordering)";
                tagInsert.Parameters.AddWithValue("$tag", tag);
                tagInsert.Parameters.AddWithValue("$ordering", ordering);
                await tagInsert.ExecuteNonQueryAsync();
            }
        }

        await using (var counter = connection.CreateCommand())
        {
            counter.CommandText = "UPDATE event_ordering SET value = 130";
            await counter.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
