namespace CrossMargin.Node.Clustering;

/// <summary>
/// Told when one delivery starts and stops waiting in the <see cref="SequenceHold"/>, so that whoever runs it can tell
/// a delivery that is working from one that waits for the messages before it (<see cref="InOrderShardHandler"/>).
/// </summary>
public interface ISequenceHoldObserver
{
    /// <summary>The delivery skips ahead of its source and now waits for the missing messages.</summary>
    void Holding();

    /// <summary>The delivery stopped waiting: it is being applied (in sequence, or with its gap), refused, or given up.</summary>
    void Resumed();
}
