using System.Text.Json.Serialization;

namespace CrossMargin.Persistence.Tests.Actors;

public sealed record Add(int Amount);

public sealed record AddTwice(int Amount);

public sealed record GetTotal;

public sealed record GetRecoveryLog;

public sealed record Added(int Amount);

public sealed record CounterState(int Total);

[JsonSerializable(typeof(Added))]
[JsonSerializable(typeof(CounterState))]
internal sealed partial class CounterJsonContext : JsonSerializerContext;
