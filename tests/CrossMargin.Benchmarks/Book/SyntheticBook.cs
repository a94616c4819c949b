using CrossMargin.Risk.Instruments;

namespace CrossMargin.Benchmarks.Book;

/// <summary>
/// A seeded book of accounts over <see cref="SyntheticMarket"/>, stored as structure of arrays: account a holds
/// legs <c>Offsets[a] .. Offsets[a + 1] - 1</c> of <see cref="Legs"/> (instrument indexes into
/// <see cref="Instruments"/>) and <see cref="Quantities"/> (signed contracts). 70% of accounts hold 1-3 perpetuals or
/// futures; 30% hold option books of 4-24 legs (BTC, ETH or both; long and short; 40% with a futures hedge).
/// </summary>
internal sealed class SyntheticBook
{
    private const double FuturesShare = 0.7;
    private const double HedgeShare = 0.4;

    private SyntheticBook(int[] offsets, int[] legs, double[] quantities, int futuresAccounts)
    {
        Offsets = offsets;
        Legs = legs;
        Quantities = quantities;
        FuturesAccounts = futuresAccounts;
    }

    /// <summary>The instruments legs refer to.</summary>
    public static IReadOnlyList<Instrument> Instruments => SyntheticMarket.Instruments;

    /// <summary>Start of each account's legs; one more entry than accounts.</summary>
    public int[] Offsets { get; }

    /// <summary>Instrument index of every leg.</summary>
    public int[] Legs { get; }

    /// <summary>Signed contracts of every leg.</summary>
    public double[] Quantities { get; }

    /// <summary>Accounts holding only perpetuals and futures.</summary>
    public int FuturesAccounts { get; }

    /// <summary>Accounts in the book.</summary>
    public int AccountCount => Offsets.Length - 1;

    /// <summary>Legs in the book.</summary>
    public int LegCount => Offsets[^1];

    /// <summary>Generates <paramref name="accounts"/> accounts from <c>new Random(seed)</c>.</summary>
    public static SyntheticBook Generate(int accounts, int seed)
    {
        var random = new Random(seed);
        var underlyings = SyntheticMarket.Underlyings;
        var linear = underlyings.Select(u => IndexesOf(u, option: false)).ToArray();
        var options = underlyings.Select(u => IndexesOf(u, option: true)).ToArray();
        var allLinear = linear.SelectMany(l => l).ToArray();
        var offsets = new int[accounts + 1];
        var legs = new List<int>(accounts * 6);
        var quantities = new List<double>(accounts * 6);
        var futuresAccounts = 0;
        for (var a = 0; a < accounts; a++)
        {
            var start = legs.Count;
            if (random.NextDouble() < FuturesShare)
            {
                futuresAccounts++;
                var count = random.Next(1, 4);
                while (legs.Count - start < count)
                {
                    Add(allLinear[random.Next(allLinear.Length)], random.Next(1, 2001));
                }
            }
            else
            {
                var count = random.Next(4, 25);
                var hedged = random.NextDouble() < HedgeShare;
                var which = random.NextDouble();
                var pick = which < 0.4 ? -1 : which < 0.75 ? 0 : 1; // -1: both underlyings
                while (legs.Count - start < count - (hedged ? 1 : 0))
                {
                    var u = pick < 0 ? random.Next(options.Length) : pick;
                    Add(options[u][random.Next(options[u].Length)], random.Next(1, 101));
                }

                if (hedged)
                {
                    var u = pick < 0 ? random.Next(linear.Length) : pick;
                    Add(linear[u][random.Next(linear[u].Length)], random.Next(1, 1001));
                }
            }

            offsets[a + 1] = legs.Count;

            // Adds a leg unless the account already holds the instrument; the sign is a coin toss.
            void Add(int instrument, int contracts)
            {
                for (var k = start; k < legs.Count; k++)
                {
                    if (legs[k] == instrument)
                    {
                        return;
                    }
                }

                legs.Add(instrument);
                quantities.Add(random.NextDouble() < 0.5 ? -contracts : contracts);
            }
        }

        return new SyntheticBook(offsets, legs.ToArray(), quantities.ToArray(), futuresAccounts);
    }

    private static int[] IndexesOf(string underlying, bool option) =>
        Enumerable.Range(0, Instruments.Count)
            .Where(i => Instruments[i].Underlying == underlying && (Instruments[i] is OptionContract) == option)
            .ToArray();
}
