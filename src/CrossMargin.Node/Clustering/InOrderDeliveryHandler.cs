using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// A <see cref="ShardDeliveryHandler"/> that reports its waits in the sequence hold to <paramref name="hold"/>: what
/// <see cref="InOrderShardHandler"/> wraps.
/// </summary>
/// <param name="delivery">The message.</param>
/// <param name="hold">Told when the delivery starts and stops waiting for the messages before it.</param>
/// <param name="cancellationToken">Cancelled when the consumer's stop gives up waiting for in-flight handlers.</param>
public delegate Task InOrderDeliveryHandler(ShardDelivery delivery, ISequenceHoldObserver hold, CancellationToken cancellationToken);
