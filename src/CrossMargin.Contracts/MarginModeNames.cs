using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts;

/// <summary>
/// The wire names of <see cref="MarginMode"/> in the <c>mode</c> field of OpenAccount and MarginMode messages. The
/// wire names are the contract and never change; the engine's enum member names are what the journal stores.
/// </summary>
public static class MarginModeNames
{
    private static readonly (string Name, MarginMode Mode)[] Table =
    [
        ("standard", MarginMode.StandardCross),
        ("portfolio", MarginMode.Portfolio),
        ("simm", MarginMode.Simm),
        ("var", MarginMode.ValueAtRisk),
        ("es", MarginMode.ExpectedShortfall),
        ("composite", MarginMode.Composite),
    ];

    /// <summary>Every valid name, in <see cref="MarginMode"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The names as a client reads them in a violation: "standard, portfolio, ...".</summary>
    public static string List { get; } = string.Join(", ", Names);

    /// <summary>The mode called <paramref name="name"/> (exact, lower case), or null when no mode has that name.</summary>
    public static MarginMode? Parse(string? name)
    {
        foreach (var (n, mode) in Table)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                return mode;
            }
        }

        return null;
    }

    /// <summary>The wire name of <paramref name="mode"/>; throws for a value outside the enum.</summary>
    public static string NameOf(MarginMode mode)
    {
        foreach (var (n, m) in Table)
        {
            if (m == mode)
            {
                return n;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown margin mode.");
    }
}
