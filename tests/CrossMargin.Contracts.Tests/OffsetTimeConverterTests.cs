using System.Text;

namespace CrossMargin.Contracts.Tests;

/// <summary>The time reader checks the offset on the message's bytes: escaped and non-ASCII text decide as their characters do.</summary>
public sealed class OffsetTimeConverterTests
{
    [Theory]
    [InlineData("2026-11-21T13:30:00\\u002B05:30", 330)]
    [InlineData("2026-11-21T08:00:00\\u005A", 0)]
    [InlineData("2026-11-21T03:00:00-05\\u003A00", -300)]
    public void A_time_with_escaped_characters_is_read_as_its_unescaped_text(string time, int offsetMinutes)
    {
        var read = ReadIndexTime(time);

        Assert.Null(read.Violation);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), read.Time!.Value.Offset);
        Assert.Equal(new DateTime(2026, 11, 21, 8, 0, 0, DateTimeKind.Utc), read.Time.Value.UtcDateTime);
    }

    [Theory]
    [InlineData("2026-11-21T08:00:00+05:3\u0663")]
    [InlineData("2026-11-21T08:00:00\u00e9")]
    [InlineData("2026-11-21T08:00:00+\u00e905:30")]
    [InlineData("2026-11-21T08:00:00\\u002B5")]
    [InlineData("T")]
    [InlineData("")]
    public void A_time_whose_offset_is_not_plain_ascii_hh_mm_or_z_is_refused(string time)
    {
        var read = ReadIndexTime(time);

        Assert.Equal("indices[0].timestamp", read.Violation!.Field);
        Assert.Contains("with an offset", read.Violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"2026-11-21T08:00:00Z\"")]
    [InlineData("\"2026-11-21T03:00:00.1234567-05:00\"")]
    public void Reading_a_time_with_an_offset_allocates_nothing(string json)
    {
        var (allocated, value) = ConverterReads.AllocationOf(new OffsetTimeConverter(), json);

        Assert.Equal(0, allocated);
        Assert.Equal(DateTimeOffset.Parse(json.Trim('"'), System.Globalization.CultureInfo.InvariantCulture), value);
    }

    private static (DateTimeOffset? Time, ContractViolation? Violation) ReadIndexTime(string time)
    {
        var json = $$"""{"indices":[{"asset":"BTC","price":1,"timestamp":"{{time}}"}]}""";
        var (message, violation) = ContractReader.Read(Encoding.UTF8.GetBytes(json), ContractJsonContext.Default.PricesMessage, ContractReader.MaxBatchBytes);
        return (message?.Indices![0].Timestamp, violation);
    }
}
