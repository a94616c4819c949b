using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Amounts by asset over two arrays: the assets, sorted ordinally and shared by every account at one market, and this
/// account's amounts in the same order. What <see cref="AccountLimitsChanged"/> carries: one small array per publication
/// instead of a sorted dictionary per account and change.
/// </summary>
internal sealed class AssetAmounts(string[] assets, decimal[] amounts) : IReadOnlyDictionary<string, decimal>
{
    /// <summary>The amounts, in the order of the assets (never changed after construction).</summary>
    public decimal[] Amounts => amounts;

    /// <summary>The assets (shared; never changed).</summary>
    public string[] Assets => assets;

    public int Count => assets.Length;

    public IEnumerable<string> Keys => assets;

    public IEnumerable<decimal> Values => amounts;

    public decimal this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not present.");

    public bool ContainsKey(string key) => Array.BinarySearch(assets, key, StringComparer.Ordinal) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out decimal value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var index = Array.BinarySearch(assets, key, StringComparer.Ordinal);
        value = index >= 0 ? amounts[index] : 0m;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, decimal>> GetEnumerator()
    {
        for (var i = 0; i < assets.Length; i++)
        {
            yield return new KeyValuePair<string, decimal>(assets[i], amounts[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
