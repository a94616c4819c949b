using System.Globalization;
using System.Text;
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

        if (value.Length > MaxIdLength || HasControl(value) || value.Trim().Length != value.Length)
        {
            Fail(field, $"must be at most {MaxIdLength} characters without control characters or surrounding spaces.");
        }
        else if (!IsPrintable(value))
        {
            Fail(field, "must be printable text: no invisible format characters (zero-width, bidirectional overrides), combining marks "
                        + "(write the composed character), lone surrogates, private-use or unassigned characters.");
        }

        return value;
    }

    // A loop over the string, not LINQ's Any: that enumerates a string through a boxed enumerator, one per id, and every
    // message carries three to six ids.
    private static bool HasControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// False for ids that look like another id but are not equal to it (zero-width characters, a bidirectional override,
    /// a decomposed accent) or that hold no character at all (a lone surrogate): ids are compared ordinally. Combining
    /// marks are refused outright because the node runs with invariant globalization, where normalization is not
    /// available to tell a decomposed "e\u0301" from the composed "\u00e9".
    /// </summary>
    private static bool IsPrintable(string value)
    {
        if (Ascii.IsValid(value))
        {
            return true;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!Rune.TryGetRuneAt(value, i, out var rune))
            {
                return false;
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                return false;
            }

            i += rune.Utf16SequenceLength - 1;
        }

        return true;
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

    /// <summary>The earliest time a message may state: the Unix epoch. Before it, a venue's clock cannot be; year 1 is an unset value.</summary>
    public static readonly DateTimeOffset EarliestTime = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The first time a message may no longer state: 2262-01-01Z, within the last year whose instants fit 64-bit Unix
    /// nanoseconds, the form many consumers of journals and exported trades keep times in (year 9999 is an unset maximum).
    /// </summary>
    public static readonly DateTimeOffset EndOfTime = new(2262, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Timestamp(string field, DateTimeOffset? value)
    {
        if (value is null)
        {
            Fail(field, "is required (ISO 8601 with an offset, e.g. 2026-11-21T08:00:00Z).");
            return default;
        }

        return value.Value;
    }

    /// <summary>
    /// A time recorded with what it dates (an execution's): required, and within [<see cref="EarliestTime"/>,
    /// <see cref="EndOfTime"/>). Prices need no such bound: their times are held to the node's clock (stale, ahead).
    /// </summary>
    public DateTimeOffset RecordedTime(string field, DateTimeOffset? value)
    {
        var time = Timestamp(field, value);
        if (value is not null && (time < EarliestTime || time >= EndOfTime))
        {
            Fail(field, FormattableString.Invariant(
                $"must be from {EarliestTime:yyyy-MM-ddTHH:mm:ssZ} and before {EndOfTime:yyyy-MM-ddTHH:mm:ssZ}, not {time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ} (year 1 or 9999 is a time never set)."));
        }

        return time;
    }
}
