namespace CrossMargin.Engine.Prices;

/// <summary>
/// The accepted indices of one asset over the last <see cref="PriceOptions.IndexMoveWindow"/> of feed time, as far as
/// their highest and lowest go: two monotonic queues (the highs falling, the lows rising, each oldest first), so adding
/// an index and finding the window's extremes cost O(1) amortized however many ticks the window holds.
/// </summary>
internal sealed class IndexWindow
{
    private readonly LinkedList<(DateTimeOffset At, decimal Price)> _highs = new();
    private readonly LinkedList<(DateTimeOffset At, decimal Price)> _lows = new();

    /// <summary>A window holding <paramref name="price"/> as accepted at <paramref name="at"/>.</summary>
    public static IndexWindow StartingAt(DateTimeOffset at, decimal price)
    {
        var window = new IndexWindow();
        window.Add(at, price);
        return window;
    }

    /// <summary>Adds an index accepted at <paramref name="at"/> (no earlier than any added before).</summary>
    public void Add(DateTimeOffset at, decimal price)
    {
        // An older index no higher (no lower) than the new one can never again be the window's highest (lowest).
        while (_highs.Last is { } high && high.Value.Price <= price)
        {
            _highs.RemoveLast();
        }

        while (_lows.Last is { } low && low.Value.Price >= price)
        {
            _lows.RemoveLast();
        }

        _highs.AddLast((at, price));
        _lows.AddLast((at, price));
    }

    /// <summary>
    /// The index accepted at or after <paramref name="from"/> that <paramref name="price"/> is further from than
    /// <paramref name="fraction"/> of it (the lowest when it is a rise, the highest when a fall), or null. Forgets the
    /// indices accepted before <paramref name="from"/>.
    /// </summary>
    public (DateTimeOffset At, decimal Price)? Beyond(decimal price, decimal fraction, DateTimeOffset from)
    {
        while (_highs.First is { } high && high.Value.At < from)
        {
            _highs.RemoveFirst();
        }

        while (_lows.First is { } low && low.Value.At < from)
        {
            _lows.RemoveFirst();
        }

        // Compared without dividing, as the other bands are.
        if (_lows.First is { } lowest && price - lowest.Value.Price > fraction * lowest.Value.Price)
        {
            return lowest.Value;
        }

        return _highs.First is { } highest && highest.Value.Price - price > fraction * highest.Value.Price ? highest.Value : null;
    }
}
