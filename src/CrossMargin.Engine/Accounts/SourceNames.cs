using System.Collections.Concurrent;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One shared instance of each message source's name ("wallet", a matching engine's id) for every account's
/// <see cref="MessageLedger"/>. Each name arrives as a new string with every deserialized message, and a ledger keeps
/// the names of all its sources: without sharing, a million accounts would hold a million copies of each.
/// </summary>
/// <remarks>
/// A venue has a handful of sources, but the names come from outside: past <see cref="MaxShared"/> distinct names a
/// name is kept as given, so a flood of made-up sources costs what it did before and never grows the pool.
/// </remarks>
internal sealed class SourceNames(int maxShared)
{
    private readonly ConcurrentDictionary<string, string> _shared = new(StringComparer.Ordinal);

    /// <summary>The pool every ledger uses, sharing up to 1,024 names.</summary>
    public static SourceNames Default { get; } = new(1_024);

    /// <summary>The most distinct names shared.</summary>
    public int MaxShared { get; } = maxShared;

    /// <summary>The shared instance equal to <paramref name="source"/>, or <paramref name="source"/> itself.</summary>
    public string Share(string source)
    {
        if (_shared.TryGetValue(source, out var shared))
        {
            return shared;
        }

        return _shared.Count < MaxShared ? _shared.GetOrAdd(source, source) : source;
    }
}
