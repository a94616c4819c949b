using System.Text;

namespace CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

public static class Bodies
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);

    /// <summary>Header values arrive as AMQP long strings (bytes).</summary>
    public static string? HeaderText(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch { byte[] b => Encoding.UTF8.GetString(b), null => null, _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) }
            : null;

    /// <summary>Messages ready in <paramref name="queue"/> (a passive declare; not counting unacked).</summary>
    public static async Task<uint> ReadyAsync(RabbitMqConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }
}
