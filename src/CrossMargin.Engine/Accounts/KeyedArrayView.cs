using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// A read-only dictionary over an array sorted by an ordinal string key: how <see cref="AccountState"/> shows its
/// compact arrays to callers that look things up by key. Made on demand; the array is never changed in place (the state
/// replaces it), so a view stays a consistent picture of the moment it was made.
/// </summary>
internal sealed class KeyedArrayView<TItem, TValue>(TItem[] items, Func<TItem, string> keyOf, Func<TItem, TValue> valueOf) : IReadOnlyDictionary<string, TValue>
{
    public int Count => items.Length;

    public IEnumerable<string> Keys => items.Select(keyOf);

    public IEnumerable<TValue> Values => items.Select(valueOf);

    public TValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not present.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = valueOf(items[index]);
        return true;
    }

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() =>
        items.Select(item => new KeyValuePair<string, TValue>(keyOf(item), valueOf(item))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SortedArrays.IndexOf(items, key, keyOf);
    }
}
