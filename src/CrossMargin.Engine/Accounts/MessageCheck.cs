namespace CrossMargin.Engine.Accounts;

/// <summary>The verdict on one inbound message, with the gap it reveals (accepted messages only) and its source's highest sequence before it.</summary>
/// <param name="Verdict">Accepted, duplicate or out of order.</param>
/// <param name="Gap">The sequence numbers skipped before this one, or null.</param>
/// <param name="HighestSequence">The source's highest sequence seen before this message (0 for a new source).</param>
public sealed record MessageCheck(MessageVerdict Verdict, SequenceGap? Gap, long HighestSequence)
{
    /// <summary>The message id's fingerprint (<see cref="MessageLedger.FingerprintOf"/>), computed for the check: recording the id reuses it.</summary>
    internal uint IdFingerprint { get; init; }
}
