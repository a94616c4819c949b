namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>Every await in these tests is bounded: a bug shows up as a failure, never as a hung run.</summary>
public static class Bounded
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static async Task<List<T>> CollectAsync<T>(this IAsyncEnumerable<T> source, int? take = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var list = new List<T>();
        if (take == 0)
        {
            return list;
        }

        await foreach (var item in source.WithCancellation(cts.Token))
        {
            list.Add(item);
            if (list.Count == take)
            {
                break;
            }
        }

        return list;
    }
}
