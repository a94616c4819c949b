using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>How many messages wait, ready for a consumer, in named queues, as the broker reports them.</summary>
public static class QueueDepths
{
    /// <summary>
    /// The ready count of each queue in <paramref name="queues"/>, by a passive declare (it creates nothing and changes
    /// nothing); a queue the broker does not know is left out. Messages delivered to a consumer but not yet
    /// acknowledged are not ready, so they are not counted.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> ReadyAsync(RabbitMqConnection connection, IEnumerable<string> queues,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(queues);
        var depths = new Dictionary<string, long>(StringComparer.Ordinal);
        RabbitMQ.Client.IChannel? channel = null;
        try
        {
            foreach (var queue in queues)
            {
                channel ??= await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
                try
                {
                    var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                    depths[queue] = ok.MessageCount;
                }
                catch (OperationInterruptedException)
                {
                    // A missing queue closes the channel (404): the next queue needs a fresh one.
                    await channel.DisposeAsync().ConfigureAwait(false);
                    channel = null;
                }
            }
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }

        return depths;
    }
}
