namespace CrossMargin.Persistence.Journal;

/// <summary>Screens a batch against its writes' fences the same way on every backend.</summary>
internal static class FencedWrites
{
    /// <summary>
    /// Returns the indexes of the writes to attempt, in order. A fenced write whose fence <paramref name="rejectionOf"/>
    /// refuses gets a <see cref="JournalFencedException"/> in <paramref name="results"/>, and so does no later write of
    /// its persistence id (they get the predecessor rejection), so no history gets a gap.
    /// </summary>
    public static List<int> Screen(IReadOnlyList<AtomicWrite> writes, Exception?[] results, Func<WriteFence, string?> rejectionOf)
    {
        var admitted = new List<int>(writes.Count);
        HashSet<string>? rejectedIds = null;
        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
            if (rejectedIds is not null && rejectedIds.Contains(write.PersistenceId))
            {
                results[w] = WriteRejections.PredecessorRejected(write);
                continue;
            }

            var reason = write.Fence is null ? null : rejectionOf(write.Fence);
            if (reason is not null)
            {
                results[w] = new JournalFencedException(write, reason);
                (rejectedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
                continue;
            }

            admitted.Add(w);
        }

        return admitted;
    }
}
