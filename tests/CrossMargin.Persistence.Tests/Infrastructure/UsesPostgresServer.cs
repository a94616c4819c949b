namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>The test classes that share the private PostgreSQL server (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class UsesPostgresServer : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
