using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>What a shard owner refuses before a venue message reaches an account: an envelope that contradicts its body, or a body it cannot read.</summary>
public sealed class ShardEnvelopeTests
{
    private static ShardDelivery Delivery(string? messageId, string accountId = "acc-7", string? type = "deposit", byte[]? body = null) => new()
    {
        Body = body ?? [],
        MessageId = messageId,
        Type = type,
        AccountId = accountId,
        Shard = 3,
        Redelivered = false,
        Attempt = 1,
    };

    [Fact]
    public void A_delivery_whose_routing_key_and_message_id_are_the_bodys_is_sound()
    {
        Assert.Null(ShardDeliveries.EnvelopeMismatch(Delivery("dep-1"), "acc-7", "dep-1"));
    }

    [Fact]
    public void A_delivery_without_a_message_id_is_refused_naming_the_bodys_id()
    {
        var violation = ShardDeliveries.EnvelopeMismatch(Delivery(messageId: null), "acc-7", "dep-1");

        Assert.Equal("messageId", violation!.Field);
        Assert.Contains("message_id is missing", violation.Problem, StringComparison.Ordinal);
        Assert.Contains("dep-1", violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dep-2")]
    [InlineData("DEP-1")]
    [InlineData("")]
    public void A_delivery_whose_message_id_differs_from_the_bodys_is_refused(string envelopeId)
    {
        var violation = ShardDeliveries.EnvelopeMismatch(Delivery(envelopeId), "acc-7", "dep-1");

        Assert.Equal("messageId", violation!.Field);
        Assert.Contains($"differs from the AMQP message_id '{envelopeId}'", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delivery_routed_by_another_account_is_refused_before_its_message_id_is_compared()
    {
        var violation = ShardDeliveries.EnvelopeMismatch(Delivery("other-id", accountId: "acc-8"), "acc-7", "dep-1");

        Assert.Equal("accountId", violation!.Field);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Deposit")]
    [InlineData("preTrade")]
    [InlineData("internal")]
    public void A_type_that_is_not_an_account_message_is_not_read(string? type)
    {
        Assert.False(AccountMessageTypes.TryRead(type, "{}"u8.ToArray(), out var message, out var violation));
        Assert.Null(message);
        Assert.Null(violation);
    }

    [Fact]
    public void An_expiry_settlement_travels_a_shard_queue_as_type_expiry_and_reads_back_as_sent()
    {
        var sent = new ExpiryMessage { MessageId = "x-1", Source = "settlement", Sequence = 3, AccountId = "acc-7", Symbol = "BTC-25DEC26", SettlementPrice = 87123.45m };

        var (type, body) = AccountMessageTypes.Write(sent);

        Assert.Equal("expiry", type);
        Assert.True(AccountMessageTypes.TryRead(type, body, out var read, out var violation));
        Assert.Null(violation);
        Assert.Equal(sent, read);
    }

    [Fact]
    public void A_body_that_is_not_utf8_is_a_violation_not_an_exception()
    {
        byte[] body = [.. "{\"messageId\":\"d"u8.ToArray(), 0xFF, 0xFE, .. "\"}"u8.ToArray()];

        Assert.True(AccountMessageTypes.TryRead("deposit", body, out var message, out var violation));
        Assert.Null(message);
        Assert.NotNull(violation);
    }
}
