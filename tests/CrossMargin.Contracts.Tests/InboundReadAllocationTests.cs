using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace CrossMargin.Contracts.Tests;

/// <summary>
/// What reading a message allocates for its number, time and flag fields. The inbound messages' properties have
/// setters so that the source-generated reader sets each through its typed setter; with init-only properties it can
/// only build the message through its parameterized-constructor path, which collects the fields in an object array and
/// boxes every value-type one (a sequence, each amount, the time, the flag) on every read a node makes.
/// </summary>
public sealed class InboundReadAllocationTests
{
    private const string Strings = """
        "messageId":"ex-1","source":"me-1","accountId":"acc-1","executionId":"ex-1","orderId":"o-1","symbol":"BTC-PERP","side":"buy","liquidity":"taker"
        """;

    private const string Values = """
        "sequence":7,"quantity":1.5,"price":60000.5,"fee":0.25,"timestamp":"2026-11-21T08:00:00Z","isLiquidation":false
        """;

    [Fact]
    public void An_executions_sequence_amounts_time_and_flag_are_read_without_allocating()
    {
        var withValues = PerRead("{" + Strings + "," + Values + "}", ContractJsonContext.Default.ExecutionMessage);
        var withoutValues = PerRead("{" + Strings + "}", ContractJsonContext.Default.ExecutionMessage);

        Assert.Equal(withoutValues, withValues);
    }

    [Fact]
    public void A_deposits_sequence_and_amount_are_read_without_allocating()
    {
        var withValues = PerRead("""{"messageId":"d-1","source":"w","accountId":"a","asset":"USDT","sequence":3,"amount":100.25}""", ContractJsonContext.Default.DepositMessage);
        var withoutValues = PerRead("""{"messageId":"d-1","source":"w","accountId":"a","asset":"USDT"}""", ContractJsonContext.Default.DepositMessage);

        Assert.Equal(withoutValues, withValues);
    }

    // Bytes this thread allocates per read of json, over 100 reads after two to warm up.
    private static long PerRead<T>(string json, JsonTypeInfo<T> type)
        where T : class
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var i = 0; i < 2; i++)
        {
            Assert.Null(ContractReader.Read(bytes, type).Violation);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            ContractReader.Read(bytes, type);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }
}
