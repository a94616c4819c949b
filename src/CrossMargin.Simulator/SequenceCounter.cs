namespace CrossMargin.Simulator;

/// <summary>Per-source, per-account sequence numbers, as a real matching engine or wallet keeps them.</summary>
public sealed class SequenceCounter
{
    private readonly Dictionary<(string Source, string Account), long> _next = [];

    /// <summary>The next sequence of <paramref name="source"/> for <paramref name="account"/>, from 1.</summary>
    public long Next(string source, string account)
    {
        var key = (source, account);
        var next = _next.GetValueOrDefault(key) + 1;
        _next[key] = next;
        return next;
    }
}
