namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// Double lines and balances to write holdings into and read them back at once, reused: for holdings whose own arrays
/// would only be copied into a <see cref="HoldingsStore"/> and dropped. One owner at a time (a thread, or a store's writer).
/// </summary>
internal sealed class FastScratch
{
    private FastLine[] _lines = new FastLine[8];
    private FastBalance[] _balances = new FastBalance[8];

    /// <summary>Room for <paramref name="lines"/> lines and <paramref name="balances"/> balances, exactly as long (grown when short).</summary>
    public void Take(int lines, int balances, out Span<FastLine> lineSpan, out Span<FastBalance> balanceSpan)
    {
        if (_lines.Length < lines)
        {
            _lines = new FastLine[Math.Max(lines, _lines.Length * 2)];
        }

        if (_balances.Length < balances)
        {
            _balances = new FastBalance[Math.Max(balances, _balances.Length * 2)];
        }

        lineSpan = _lines.AsSpan(0, lines);
        balanceSpan = _balances.AsSpan(0, balances);
    }
}
