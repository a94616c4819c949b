namespace CrossMargin.Persistence.Journal;

/// <summary>Rejections both backends produce the same way.</summary>
internal static class WriteRejections
{
    /// <summary>The rejection of a write whose persistence id already had a write rejected earlier in the batch.</summary>
    public static JournalWriteException PredecessorRejected(AtomicWrite write) =>
        new($"Append of '{write.PersistenceId}' sequence numbers {write.FromSequenceNr}..{write.ToSequenceNr} was not attempted: an earlier write of the same persistence id in the batch was rejected, and writing it would leave a gap.");
}
