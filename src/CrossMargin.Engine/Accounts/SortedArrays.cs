namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Copy-on-write edits of small arrays kept sorted by an ordinal string key: an account holds a handful of balances,
/// positions and orders, for which an array costs a fraction of a sorted dictionary and can be handed to the margin
/// calculator as it is. Every edit returns a new array and leaves the given one untouched, so a copy of the state
/// (a what-if) can share the arrays.
/// </summary>
internal static class SortedArrays
{
    /// <summary>The index of <paramref name="key"/>, or the bitwise complement of where it would go.</summary>
    public static int IndexOf<T>(T[] items, string key, Func<T, string> keyOf)
    {
        int low = 0, high = items.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(keyOf(items[middle]), key);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    /// <summary>A copy with <paramref name="item"/> in place of the item of the same key, or inserted in order.</summary>
    public static T[] Set<T>(T[] items, T item, Func<T, string> keyOf)
    {
        var index = IndexOf(items, keyOf(item), keyOf);
        if (index >= 0)
        {
            var replaced = (T[])items.Clone();
            replaced[index] = item;
            return replaced;
        }

        index = ~index;
        var inserted = new T[items.Length + 1];
        Array.Copy(items, inserted, index);
        inserted[index] = item;
        Array.Copy(items, index, inserted, index + 1, items.Length - index);
        return inserted;
    }

    /// <summary>A copy without the item of <paramref name="key"/>, or <paramref name="items"/> itself when there is none.</summary>
    public static T[] Remove<T>(T[] items, string key, Func<T, string> keyOf)
    {
        var index = IndexOf(items, key, keyOf);
        if (index < 0)
        {
            return items;
        }

        if (items.Length == 1)
        {
            return [];
        }

        var removed = new T[items.Length - 1];
        Array.Copy(items, removed, index);
        Array.Copy(items, index + 1, removed, index, items.Length - index - 1);
        return removed;
    }
}
