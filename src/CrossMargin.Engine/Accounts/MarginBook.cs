using System.Runtime.CompilerServices;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The live accounts of a node that the re-margin kernel can margin, in partitions (one per shard of the account
/// region, by the same hash), each read by its own <see cref="MarginPass"/> on every market change. Each account keeps
/// its own <see cref="MarginBookEntry"/> current in its slot; the book never changes an account's state.
/// </summary>
internal sealed class MarginBook
{
    // One kernel per calculator: its instrument indexes and per-snapshot tables are shared by every account margined with it.
    private static readonly ConditionalWeakTable<MarginCalculator, StandardCrossKernel> Kernels = [];

    private readonly MarginBookPartition[] _partitions;

    public MarginBook(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        _partitions = Enumerable.Range(0, partitions).Select(_ => new MarginBookPartition()).ToArray();
    }

    /// <summary>The partitions, in shard order.</summary>
    public IReadOnlyList<MarginBookPartition> Partitions => _partitions;

    /// <summary>The kernel of <paramref name="calculator"/>, or null when its cross model has none (the account re-margins itself).</summary>
    public static StandardCrossKernel? KernelFor(MarginCalculator calculator) =>
        StandardCrossKernel.Supports(calculator) ? Kernels.GetValue(calculator, static c => new StandardCrossKernel(c)) : null;

    /// <summary>Adds the slot of <paramref name="accountId"/>'s actor <paramref name="account"/> to its partition.</summary>
    public (MarginBookPartition Partition, MarginBookSlot Slot) Join(string accountId, IActorRef account)
    {
        var partition = _partitions[ShardIds.Of(accountId, _partitions.Length)];
        return (partition, partition.Join(account));
    }
}
