using System.Text.Json.Serialization;

namespace CrossMargin.Persistence.Tests.Actors;

public sealed record Add(int Amount);

public sealed record AddTwice(int Amount);

/// <summary>Adds the sum of every event still in the journal, read back and persisted through a deferred command.</summary>
public sealed record AddHistory;

public sealed record GetTotal;

public sealed record GetRecoveryLog;

public sealed record Added(int Amount);

public sealed record CounterState(int Total);

[JsonSerializable(typeof(Added))]
[JsonSerializable(typeof(CounterState))]
internal sealed partial class CounterJsonContext : JsonSerializerContext;
