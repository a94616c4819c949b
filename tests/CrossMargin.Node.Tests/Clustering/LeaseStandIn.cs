namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Stands in for a node's renewal age (<c>ClusterNode.LeasesCurrent</c>) where its deliveries ask it: whether the node's
/// leases are current, as the test sets it (not at first, as after a freeze past the self-fence point), and how often
/// the node asked.
/// </summary>
internal sealed class LeaseStandIn
{
    private int _asked;
    private volatile bool _current;

    public int Asked => Volatile.Read(ref _asked);

    public bool Current
    {
        get => _current;
        set => _current = value;
    }

    public bool Ask()
    {
        Interlocked.Increment(ref _asked);
        return _current;
    }
}
