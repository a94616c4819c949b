namespace CrossMargin.Node.Tests.Clustering;

/// <summary>The cluster tests of this project share one <see cref="CrossMargin.Testing.Cluster.ClusterServers"/>.</summary>
[CollectionDefinition(Name)]
public sealed class UsesClusterServers : ICollectionFixture<ClusterServers>
{
    public const string Name = "Cluster servers";
}
