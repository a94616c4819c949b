namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>The collection of tests that share the private PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class UsesPostgres : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}
