namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// Tests that count what the engine's process-wide instruments record run alone, after the others: executions of
/// tests running beside them would be counted too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineMetricsRunAlone
{
    public const string Name = "Engine metrics";
}
