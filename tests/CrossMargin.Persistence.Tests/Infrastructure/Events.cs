using System.Text;
using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>Builders for journal writes with recognisable payloads.</summary>
public static class Events
{
    public static string NewPersistenceId(string prefix = "account") => $"{prefix}-{Guid.NewGuid():N}";

    public static string NewTag(string prefix = "tag") => $"{prefix}-{Guid.NewGuid():N}";

    public static SerializedPayload Payload(string persistenceId, long sequenceNr) =>
        new("test-event", 1, Encoding.UTF8.GetBytes($"{{\"pid\":\"{persistenceId}\",\"seq\":{sequenceNr}}}"));

    public static AtomicWrite Write(string persistenceId, long from, int count = 1, string writerId = "writer-1", params string[] tags) =>
        new(persistenceId, from, writerId, Enumerable.Range(0, count).Select(i => new EventData(Payload(persistenceId, from + i), tags)).ToArray());

    public static string Text(this SerializedPayload payload) => Encoding.UTF8.GetString(payload.Bytes.Span);
}
