using System.Collections;
using System.Collections.Frozen;
using CrossMargin.Risk.Instruments;

namespace CrossMargin.Risk.Market;

/// <summary>
/// Instruments that have expired, by symbol: what a <see cref="MarketSnapshot"/> keeps so that positions, orders and
/// journal events naming them still resolve. Immutable, so one set is built when something expires and shared by
/// every snapshot until the next expiry, rather than built again per snapshot as the listing schedules pile them up.
/// </summary>
public sealed class ExpiredSet : IReadOnlyCollection<Instrument>
{
    private readonly Instrument[] _instruments;
    private readonly FrozenDictionary<string, Instrument> _bySymbol;

    /// <summary>Builds the set; throws <see cref="ArgumentException"/> on a symbol given twice or an instrument that never expires.</summary>
    public ExpiredSet(IEnumerable<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        var bySymbol = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        var latest = DateTimeOffset.MinValue;
        foreach (var instrument in instruments)
        {
            if (instrument.Expiry is not { } expiry)
            {
                throw new ArgumentException($"{instrument.Symbol} is given as expired but never expires.", nameof(instruments));
            }

            if (!bySymbol.TryAdd(instrument.Symbol, instrument))
            {
                throw new ArgumentException($"Duplicate expired instrument {instrument.Symbol}.", nameof(instruments));
            }

            latest = expiry > latest ? expiry : latest;
        }

        _instruments = [.. bySymbol.Values];
        _bySymbol = bySymbol.ToFrozenDictionary(StringComparer.Ordinal);
        LastExpiry = latest;
    }

    /// <summary>No instrument.</summary>
    public static ExpiredSet Empty { get; } = new([]);

    /// <summary>The latest expiry in the set (<see cref="DateTimeOffset.MinValue"/> when empty): a snapshot at or after it may keep the set.</summary>
    public DateTimeOffset LastExpiry { get; }

    /// <inheritdoc />
    public int Count => _instruments.Length;

    /// <summary>The instrument called <paramref name="symbol"/>, or null.</summary>
    public Instrument? Find(string symbol) => _bySymbol.GetValueOrDefault(symbol);

    /// <summary>This set with <paramref name="more"/> added (itself when there are none).</summary>
    public ExpiredSet With(IReadOnlyCollection<Instrument> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return more.Count == 0 ? this : new ExpiredSet([.. _instruments, .. more]);
    }

    /// <inheritdoc />
    public IEnumerator<Instrument> GetEnumerator() => ((IEnumerable<Instrument>)_instruments).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
