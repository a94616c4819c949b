using System.Globalization;

namespace CrossMargin.Risk.Historical;

/// <summary>
/// Reads and writes price histories as CSV: a header <c>date,BTC,ETH</c>, then one row per day
/// <c>2024-01-02,42000.5,2300.25</c> (ISO dates increasing, prices positive, '.' decimals, no quoting). Optional
/// implied-vol columns follow the convention <c>UNDERLYING:vol</c> (<c>date,BTC,ETH,BTC:vol</c>): the at-the-money
/// implied vol of an underlying that has a price column, as a fraction (0.55 = 55%), positive and at most
/// <see cref="PriceHistory.MaximumVolatility"/>. Lines starting with '#' and blank lines are skipped. This is a parser
/// of given text, not file access: the caller opens the stream.
/// </summary>
public static class PriceHistoryCsv
{
    /// <summary>The suffix that makes a column an implied-vol column.</summary>
    public const string VolatilitySuffix = ":vol";

    /// <summary>Parses a history; throws <see cref="PriceHistoryFormatException"/> naming the line and the problem.</summary>
    public static PriceHistory Parse(TextReader reader)
    {
        string[]? header = null;
        var dates = new List<DateOnly>();
        List<double>[] columns = [];
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (header is null)
            {
                header = fields.Select(f => f.Trim()).ToArray();
                CheckHeader(header, lineNumber);
                columns = header.Skip(1).Select(_ => new List<double>()).ToArray();
                continue;
            }

            if (fields.Length != header.Length)
            {
                throw new PriceHistoryFormatException(lineNumber, $"{fields.Length} fields where the header has {header.Length}.");
            }

            if (!DateOnly.TryParseExact(fields[0].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new PriceHistoryFormatException(lineNumber, $"date \"{fields[0]}\" is not yyyy-MM-dd.");
            }

            if (dates.Count > 0 && date <= dates[^1])
            {
                throw new PriceHistoryFormatException(lineNumber, $"date {date:yyyy-MM-dd} is not after the previous row's {dates[^1]:yyyy-MM-dd}.");
            }

            for (var c = 1; c < fields.Length; c++)
            {
                var text = fields[c].Trim();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                {
                    throw new PriceHistoryFormatException(lineNumber, $"{header[c]}: \"{text}\" is not a number.");
                }

                if (!IsVolatilityColumn(header[c]) && value <= 0)
                {
                    throw new PriceHistoryFormatException(lineNumber, $"{header[c]}: price {text} must be positive.");
                }

                if (IsVolatilityColumn(header[c]) && !(value > 0 && value <= PriceHistory.MaximumVolatility))
                {
                    throw new PriceHistoryFormatException(lineNumber,
                        $"{header[c]}: implied vol {text} must be a positive fraction no larger than {PriceHistory.MaximumVolatility} (0.55 = 55%).");
                }

                columns[c - 1].Add(value);
            }

            dates.Add(date);
        }

        if (header is null)
        {
            throw new PriceHistoryFormatException(0, "empty: no header line (date,BTC,ETH).");
        }

        if (dates.Count < 2)
        {
            throw new PriceHistoryFormatException(0, $"{dates.Count} row(s): at least two dates are needed for a return.");
        }

        var names = header.Skip(1).ToArray();
        var prices = names.Select((n, i) => (n, i)).Where(x => !IsVolatilityColumn(x.n)).ToArray();
        var vols = names.Select((n, i) => (n, i)).Where(x => IsVolatilityColumn(x.n))
            .ToDictionary(x => UnderlyingOf(x.n), x => columns[x.i].ToArray(), StringComparer.Ordinal);
        return new PriceHistory(dates, prices.Select(x => x.n), prices.Select(x => columns[x.i].ToArray()), vols);
    }

    /// <summary>
    /// Writes <paramref name="history"/> with prices to <paramref name="decimals"/> places, then its implied-vol columns
    /// (if any) to 4 places, with '\n' line ends.
    /// </summary>
    public static void Write(PriceHistory history, TextWriter writer, int decimals = 2)
    {
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var columns = history.Underlyings.Select(u => (Values: history.ClosesOf(u), Format: format))
            .Concat(history.VolatilityUnderlyings.Select(u => (Values: history.VolatilitiesOf(u), Format: "F4"))).ToArray();
        writer.Write("date," + string.Join(',', history.Underlyings.Concat(history.VolatilityUnderlyings.Select(u => u + VolatilitySuffix))) + "\n");
        for (var t = 0; t < history.Dates.Count; t++)
        {
            writer.Write(history.Dates[t].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            foreach (var (values, f) in columns)
            {
                writer.Write(',');
                writer.Write(values[t].ToString(f, CultureInfo.InvariantCulture));
            }

            writer.Write('\n');
        }
    }

    private static void CheckHeader(string[] header, int lineNumber)
    {
        if (header.Length < 2 || header[0] != "date")
        {
            throw new PriceHistoryFormatException(lineNumber, "the header must be \"date\" followed by one column per underlying (date,BTC,ETH).");
        }

        var duplicate = header.Skip(1).GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 || g.Key.Length == 0);
        if (duplicate is not null)
        {
            throw new PriceHistoryFormatException(lineNumber, duplicate.Key.Length == 0 ? "an underlying column has no name." : $"underlying {duplicate.Key} appears twice in the header.");
        }

        foreach (var name in header.Skip(1).Where(n => n.Contains(':', StringComparison.Ordinal)))
        {
            if (!IsVolatilityColumn(name))
            {
                throw new PriceHistoryFormatException(lineNumber, $"column \"{name}\": the only column suffix is \"{VolatilitySuffix}\" (BTC{VolatilitySuffix}).");
            }

            var underlying = UnderlyingOf(name);
            if (underlying.Length == 0 || underlying.Contains(':', StringComparison.Ordinal))
            {
                throw new PriceHistoryFormatException(lineNumber, $"column \"{name}\" names no underlying.");
            }

            if (!header.Skip(1).Contains(underlying, StringComparer.Ordinal))
            {
                throw new PriceHistoryFormatException(lineNumber, $"implied-vol column {name} has no price column {underlying}.");
            }
        }
    }

    private static bool IsVolatilityColumn(string name) => name.EndsWith(VolatilitySuffix, StringComparison.Ordinal);

    private static string UnderlyingOf(string volatilityColumn) => volatilityColumn[..^VolatilitySuffix.Length];
}
