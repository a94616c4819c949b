using CrossMargin.Cluster.Sharding;

namespace CrossMargin.Cluster.Tests.Sharding;

public sealed class ShardIdsTests
{
    [Theory]
    // Published FNV-1a 32-bit test vectors: the hash must never change, or entities would move between shards.
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Hash_is_32_bit_fnv_1a_over_utf8(string id, uint expected) => Assert.Equal(expected, ShardIds.Hash(id));

    [Fact]
    public void Shard_is_the_hash_modulo_the_count()
    {
        Assert.Equal(220, ShardIds.Of("a", 1000)); // 0xe40c292c = 3,826,002,220
        Assert.Equal((int)(ShardIds.Hash("acc-42") % 7u), ShardIds.Of("acc-42", 7));
    }

    [Fact]
    public void Non_ascii_and_long_ids_hash_their_utf8_bytes()
    {
        // "é" is C3 A9 in UTF-8: hash those two bytes by hand.
        var expected = 0x811c9dc5u;
        foreach (var b in new byte[] { 0xC3, 0xA9 })
        {
            expected = unchecked((expected ^ b) * 16777619u);
        }

        Assert.Equal(expected, ShardIds.Hash("é"));
        var longId = new string('x', 1000);
        Assert.InRange(ShardIds.Of(longId, 10), 0, 9);
    }

    [Fact]
    public void Ids_spread_over_all_shards()
    {
        var counts = new int[16];
        for (var i = 0; i < 16_000; i++)
        {
            counts[ShardIds.Of($"acc-{i}", 16)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void A_non_positive_shard_count_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardIds.Of("a", 0));
}
