using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Contracts;

/// <summary>Collects field violations while a message is turned into a command, so a client sees all of them at once.</summary>
internal sealed class FieldCheck
{
    /// <summary>Longest identifier accepted: ids are stored per account for deduplication, so unbounded ones cost memory.</summary>
    public const int MaxIdLength = 128;

    private readonly List<ContractViolation> _violations = [];

    public IReadOnlyList<ContractViolation> Violations => _violations;

    public bool Ok => _violations.Count == 0;

    public void Fail(string field, string problem) => _violations.Add(new ContractViolation(field, problem));

    public string Id(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(field, "is required.");
            return "";
        }

        if (value.Length > MaxIdLength || value.Any(char.IsControl) || value.Trim().Length != value.Length)
        {
            Fail(field, $"must be at most {MaxIdLength} characters without control characters or surrounding spaces.");
        }

        return value;
    }

    public long Sequence(long? value)
    {
        if (value is null)
        {
            Fail("sequence", "is required.");
            return 0;
        }

        if (value < 1)
        {
            Fail("sequence", $"must be 1 or more, not {value}.");
        }

        return value.Value;
    }

    public decimal Positive(string field, decimal? value)
    {
        if (value is null)
        {
            Fail(field, "is required.");
            return 0;
        }

        if (value <= 0)
        {
            Fail(field, $"must be positive, not {value}.");
        }

        return value.Value;
    }

    public decimal Any(string field, decimal? value)
    {
        if (value is null)
        {
            Fail(field, "is required.");
            return 0;
        }

        return value.Value;
    }

    public OrderSide Side(string? value)
    {
        switch (value)
        {
            case "buy":
                return OrderSide.Buy;
            case "sell":
                return OrderSide.Sell;
            default:
                Fail("side", value is null ? "is required (buy or sell)." : $"must be buy or sell, not '{value}'.");
                return OrderSide.Buy;
        }
    }

    public DateTimeOffset Timestamp(string field, DateTimeOffset? value)
    {
        if (value is null)
        {
            Fail(field, "is required (ISO 8601 with an offset, e.g. 2026-11-21T08:00:00Z).");
            return default;
        }

        return value.Value;
    }
}
