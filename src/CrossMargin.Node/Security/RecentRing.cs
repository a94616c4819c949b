namespace CrossMargin.Node.Security;

/// <summary>The last <c>capacity</c> items added, oldest first; safe to add to and read from any thread.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class RecentRing<T>
{
    private readonly T[] _items;
    private readonly Lock _lock = new();
    private long _added;

    /// <summary>A ring of <paramref name="capacity"/> items.</summary>
    public RecentRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new T[capacity];
    }

    /// <summary>Adds <paramref name="item"/>, dropping the oldest when full.</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            _items[_added % _items.Length] = item;
            _added++;
        }
    }

    /// <summary>The newest <paramref name="count"/> items (all when null), oldest first.</summary>
    public IReadOnlyList<T> Last(int? count = null)
    {
        lock (_lock)
        {
            var held = (int)Math.Min(_added, _items.Length);
            var take = Math.Clamp(count ?? held, 0, held);
            var result = new T[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _items[(_added - take + i) % _items.Length];
            }

            return result;
        }
    }
}
