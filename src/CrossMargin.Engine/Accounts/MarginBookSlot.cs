using CrossMargin.Actors;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One live account's place in a <see cref="MarginBookPartition"/>: the account writes <see cref="Entry"/>, the
/// partition's pass alone reads it and writes the rest.
/// </summary>
internal sealed class MarginBookSlot(IActorRef account)
{
    private MarginBookEntry? _entry;
    private volatile bool _left;

    /// <summary>The account's actor.</summary>
    public IActorRef Account { get; } = account;

    /// <summary>The account's newest entry; null while the kernel cannot margin it (the account re-margins itself).</summary>
    public MarginBookEntry? Entry
    {
        get => Volatile.Read(ref _entry);
        set => Volatile.Write(ref _entry, value);
    }

    /// <summary>True once the account stopped: the slot is dropped when its partition compacts.</summary>
    public bool HasLeft
    {
        get => _left;
        set => _left = value;
    }

    /// <summary>The entry the pass last sent figures for: while it is still <see cref="Entry"/>, those figures are what the account holds (or will, once it reads them).</summary>
    public MarginBookEntry? SentFor { get; set; }

    /// <summary>The figures last sent.</summary>
    public MarginSummary? Sent { get; set; }

    /// <summary>The limits last sent.</summary>
    public AccountLimitsChanged? SentLimits { get; set; }
}
