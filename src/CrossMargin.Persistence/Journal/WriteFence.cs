namespace CrossMargin.Persistence.Journal;

/// <summary>
/// The lease a write is made under. A fenced write is appended only if <see cref="Owner"/> still holds lease
/// <see cref="LeaseName"/> at <see cref="Epoch"/>, unexpired, checked inside the append's own transaction; a node that
/// lost the lease (frozen past its expiry, partitioned, slow to hand off) therefore cannot extend a history that the
/// lease's next holder now owns.
/// </summary>
public sealed record WriteFence
{
    /// <summary>Creates a fence.</summary>
    /// <param name="leaseName">The lease, e.g. <c>shard/accounts/17</c>.</param>
    /// <param name="owner">The node that must hold it.</param>
    /// <param name="epoch">The epoch (fencing token) it must hold it at; every change of holder increments it.</param>
    public WriteFence(string leaseName, string owner, long epoch)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(leaseName);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        LeaseName = leaseName;
        Owner = owner;
        Epoch = epoch;
    }

    /// <summary>The lease.</summary>
    public string LeaseName { get; }

    /// <summary>The node that must hold it.</summary>
    public string Owner { get; }

    /// <summary>The epoch it must be held at.</summary>
    public long Epoch { get; }

    /// <inheritdoc />
    public override string ToString() => $"{LeaseName}@{Epoch} by {Owner}";
}
