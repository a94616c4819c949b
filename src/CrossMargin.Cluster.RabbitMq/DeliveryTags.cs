namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A consumer's unsettled delivery tags in ascending (delivery) order: a sorted set kept as one sorted array.
/// </summary>
/// <remarks>
/// A channel numbers its deliveries in increasing order, so a tag is nearly always added at the end, and acks take runs
/// from the front: an array does both without an allocation per delivery, where a <see cref="SortedSet{T}"/> made a tree
/// node for every one. A tag out of order (a numbering that restarted after a recovery) is still put in its place, as
/// the set would. At most about the prefetch window is held, so the rare removal from the middle moves a few KB.
/// </remarks>
internal sealed class DeliveryTags
{
    private readonly List<ulong> _tags = [];

    /// <summary>How many tags are held.</summary>
    public int Count => _tags.Count;

    /// <summary>The lowest tag held; only when <see cref="Count"/> is not zero.</summary>
    public ulong Min => _tags[0];

    /// <summary>Adds <paramref name="tag"/> in its place; false when it is held already.</summary>
    public bool Add(ulong tag)
    {
        if (_tags.Count == 0 || _tags[^1] < tag)
        {
            _tags.Add(tag);
            return true;
        }

        var at = _tags.BinarySearch(tag);
        if (at >= 0)
        {
            return false;
        }

        _tags.Insert(~at, tag);
        return true;
    }

    /// <summary>Whether <paramref name="tag"/> is held.</summary>
    public bool Contains(ulong tag) => _tags.BinarySearch(tag) >= 0;

    /// <summary>Removes <paramref name="tag"/>; false when it was not held.</summary>
    public bool Remove(ulong tag)
    {
        var at = _tags.BinarySearch(tag);
        if (at < 0)
        {
            return false;
        }

        _tags.RemoveAt(at);
        return true;
    }

    /// <summary>Removes the <paramref name="count"/> lowest tags.</summary>
    public void RemoveLowest(int count) => _tags.RemoveRange(0, count);

    /// <summary>The tag at <paramref name="index"/> in ascending order.</summary>
    public ulong this[int index] => _tags[index];

    /// <summary>Every tag held, ascending.</summary>
    public ulong[] ToArray() => [.. _tags];

    /// <summary>Removes every tag.</summary>
    public void Clear() => _tags.Clear();
}
