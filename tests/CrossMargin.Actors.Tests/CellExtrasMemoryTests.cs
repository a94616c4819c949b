using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Tests;

/// <summary>
/// Every watched actor carries a <see cref="CellExtras"/> (its watchers are listed there): a shard watches each of its
/// entities, so a million accounts hold a million of them, and each field the kernel adds there costs megabytes.
/// </summary>
public sealed class CellExtrasMemoryTests
{
    private const int Count = 1000;

    // 104 bytes before session 35 (nine references, a nullable TimeSpan, the object header, 64-bit); the stopping token's
    // source and the hold generation add one word. What a stop or restart needs only while it waits lives apart.
    [Fact]
    public void The_extras_of_an_idle_watched_actor_take_at_most_112_bytes_holding_no_stop_or_restart_wait()
    {
        var kept = new CellExtras[Count];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < kept.Length; i++)
        {
            kept[i] = new CellExtras();
        }

        var perExtras = (GC.GetAllocatedBytesForCurrentThread() - before) / Count;
        GC.KeepAlive(kept);
        Assert.True(perExtras <= 112, $"A CellExtras takes {perExtras} bytes");
    }
}
