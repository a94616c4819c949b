using System.Globalization;

namespace CrossMargin.Cli.Commands;

/// <summary>Reads <c>BTC=-30%,ETH=-35%,vol=+20</c>: spot moves in percent (or as fractions without %) and vol points.</summary>
public static class ShockParser
{
    /// <summary>The spot moves (as fractions) and vol points; or the reason the text is not a shock.</summary>
    public static (Dictionary<string, decimal> Spot, double? VolPoints, string? Error) Parse(string text)
    {
        var spot = new Dictionary<string, decimal>(StringComparer.Ordinal);
        double? vol = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0].Length == 0)
            {
                return (spot, vol, $"'{part}' is not NAME=MOVE (e.g. BTC=-30%).");
            }

            var value = pair[1].TrimEnd('%');
            if (!decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return (spot, vol, $"'{pair[1]}' in '{part}' is not a number.");
            }

            if (string.Equals(pair[0], "vol", StringComparison.OrdinalIgnoreCase))
            {
                vol = (double)number;
            }
            else
            {
                var move = pair[1].EndsWith('%') ? number / 100 : number;
                if (move <= -1)
                {
                    return (spot, vol, $"{pair[0]} cannot fall by 100% or more.");
                }

                spot[pair[0].ToUpperInvariant()] = move;
            }
        }

        return spot.Count == 0 && vol is null ? (spot, vol, "the shock is empty; e.g. --shock BTC=-30%,ETH=-35%,vol=+20.") : (spot, vol, null);
    }
}
