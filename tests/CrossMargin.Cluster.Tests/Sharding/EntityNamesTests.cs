using CrossMargin.Cluster.Sharding;

namespace CrossMargin.Cluster.Tests.Sharding;

public sealed class EntityNamesTests
{
    [Theory]
    [InlineData("acc-1", "acc-1")]
    [InlineData("a/b c", "a~2Fb~20c")]
    [InlineData("$x~", "~24x~7E")]
    [InlineData("é", "~C3~A9")]
    public void Ids_become_valid_actor_names_and_back(string id, string name)
    {
        Assert.Equal(name, EntityNames.Encode(id));
        Assert.Equal(id, EntityNames.Decode(name));
    }
}
