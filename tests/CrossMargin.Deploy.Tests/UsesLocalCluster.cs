namespace CrossMargin.Deploy.Tests;

/// <summary>The tests share one scripted cluster (starting one takes a build and three node start-ups).</summary>
[CollectionDefinition(Name)]
public sealed class UsesLocalCluster : ICollectionFixture<LocalCluster>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "local cluster";
}
