using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossMargin.Contracts.Inbound;

namespace CrossMargin.Contracts.Tests;

/// <summary>Reads the converter tests share: an amount in a deposit message, and what reading one value allocates.</summary>
internal static class ConverterReads
{
    private const string DepositTemplate = """{"messageId":"m","source":"w","sequence":1,"accountId":"a","asset":"USDT","amount":AMOUNT}""";

    /// <summary>A deposit whose amount is <paramref name="amount"/>, as written (a JSON number, string or anything else), read through the contract.</summary>
    public static (DepositMessage? Message, ContractViolation? Violation) Deposit(string amount) =>
        ContractReader.Read(Encoding.UTF8.GetBytes(DepositTemplate.Replace("AMOUNT", amount, StringComparison.Ordinal)), ContractJsonContext.Default.DepositMessage);

    /// <summary>Bytes this thread allocated reading <paramref name="json"/> (one value) with <paramref name="converter"/> 100 times, after one read to warm up; and the value read.</summary>
    public static (long Allocated, T Value) AllocationOf<T>(JsonConverter<T> converter, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        T Read()
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            return converter.Read(ref reader, typeof(T), JsonSerializerOptions.Default)!;
        }

        var value = Read();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            value = Read();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before, value);
    }
}
