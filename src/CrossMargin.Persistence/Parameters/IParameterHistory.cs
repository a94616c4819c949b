namespace CrossMargin.Persistence.Parameters;

/// <summary>
/// The append-only history of applied risk parameter sets, numbered per slot. Appends are optimistic: the caller says
/// which version it expects to be the newest, so two operators applying at once cannot both win.
/// </summary>
public interface IParameterHistory
{
    /// <summary>
    /// Appends <paramref name="proposal"/> as version <paramref name="expectedVersion"/> + 1 of its slot and returns it as stored.
    /// </summary>
    /// <param name="proposal">What to append.</param>
    /// <param name="expectedVersion">The slot's newest version as the caller knows it; 0 when it has none.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ParameterVersionConflictException">The slot's newest version is not <paramref name="expectedVersion"/>.</exception>
    Task<StoredParameterSet> AppendAsync(ParameterSetAppend proposal, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>The newest version of every slot that has one, by slot name.</summary>
    Task<IReadOnlyList<StoredParameterSet>> LatestAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version, of <paramref name="slot"/> or of all slots, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredParameterSet>> HistoryAsync(string? slot = null, int limit = 100, CancellationToken cancellationToken = default);
}
