namespace CrossMargin.Cluster.RabbitMq.Tests;

// The consumer's unsettled tags behave as the sorted set they replaced: ascending whatever the order of arrival, each
// once, removable from anywhere. Acks, requeues and a stop's return in delivery order rest on that.
public sealed class DeliveryTagsTests
{
    [Fact]
    public void Tags_are_kept_ascending_whatever_order_they_arrive_in()
    {
        var tags = new DeliveryTags();
        foreach (var tag in new ulong[] { 5, 6, 9, 2, 7, 1 })
        {
            Assert.True(tags.Add(tag));
        }

        Assert.Equal([1UL, 2, 5, 6, 7, 9], tags.ToArray());
        Assert.Equal(1UL, tags.Min);
        Assert.Equal(6, tags.Count);
    }

    [Fact]
    public void A_tag_held_already_is_not_added_again()
    {
        var tags = new DeliveryTags();
        tags.Add(3);
        tags.Add(4);

        Assert.False(tags.Add(3));
        Assert.False(tags.Add(4));
        Assert.Equal([3UL, 4], tags.ToArray());
    }

    [Fact]
    public void A_tag_is_removed_from_anywhere_and_only_once()
    {
        var tags = new DeliveryTags();
        foreach (var tag in new ulong[] { 1, 2, 3, 4 })
        {
            tags.Add(tag);
        }

        Assert.True(tags.Remove(3));
        Assert.False(tags.Remove(3));
        Assert.False(tags.Remove(8));
        Assert.False(tags.Contains(3));
        Assert.True(tags.Contains(4));
        Assert.Equal([1UL, 2, 4], tags.ToArray());
    }

    [Fact]
    public void The_lowest_tags_are_removed_as_a_run_and_the_next_is_the_minimum()
    {
        var tags = new DeliveryTags();
        foreach (var tag in new ulong[] { 10, 11, 12, 13 })
        {
            tags.Add(tag);
        }

        Assert.Equal(11UL, tags[1]);
        tags.RemoveLowest(3);

        Assert.Equal(13UL, tags.Min);
        Assert.Equal([13UL], tags.ToArray());
        tags.Clear();
        Assert.Equal(0, tags.Count);
    }
}
