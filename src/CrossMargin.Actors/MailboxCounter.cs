namespace CrossMargin.Actors;

/// <summary>
/// The number of messages waiting in the mailboxes of every actor whose <see cref="Props"/> carry this counter
/// (<see cref="Props.WithMailboxCounter"/>): one more when a message is enqueued, one less when the actor takes it
/// (to process it, or to hand it to dead letters after it stopped). Stashed messages and messages still in flight
/// elsewhere (a shard's buffer) are not in a mailbox and are not counted.
/// </summary>
/// <remarks>
/// A metric for a whole population of actors (an account region) without visiting them: both sides are one
/// <see cref="Interlocked"/> operation, and <see cref="Count"/> adds a fixed number of stripes. The stripes, one
/// cache line apart and picked by the current processor, keep every sender on the machine from contending for one
/// line. A read may interleave with a message enqueued on one stripe and taken on another, so it is a moment's
/// approximation, never below zero; once the actors are idle it is exact.
/// </remarks>
public sealed class MailboxCounter
{
    // 16 longs = 128 bytes between stripes: adjacent-line prefetching pairs 64-byte lines.
    private const int Stride = 16;

    private readonly long[] _counts;
    private readonly int _stripeMask;

    /// <summary>A counter at zero.</summary>
    public MailboxCounter()
    {
        var stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _counts = new long[stripes * Stride];
    }

    /// <summary>Messages waiting in the counted mailboxes now (see the remarks on concurrency).</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i += Stride)
            {
                total += Volatile.Read(ref _counts[i]);
            }

            return Math.Max(0, total);
        }
    }

    internal void Enqueued() => Interlocked.Increment(ref _counts[Stripe()]);

    internal void Dequeued() => Interlocked.Decrement(ref _counts[Stripe()]);

    private int Stripe() => (Thread.GetCurrentProcessorId() & _stripeMask) * Stride;
}
