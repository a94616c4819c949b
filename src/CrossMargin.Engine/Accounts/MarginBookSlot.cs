using CrossMargin.Actors;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// One live account's place in a <see cref="MarginBookPartition"/>: the account writes <see cref="Entry"/>, the
/// partition's pass writes <see cref="Figures"/>; each reads what the other wrote.
/// </summary>
internal sealed class MarginBookSlot(IActorRef account)
{
    private MarginBookEntry? _entry;
    private MarginBookFigures? _figures;
    private volatile bool _left;

    /// <summary>The account's actor.</summary>
    public IActorRef Account { get; } = account;

    /// <summary>The account's newest entry; null while the kernel cannot margin it (the account re-margins itself).</summary>
    public MarginBookEntry? Entry
    {
        get => Volatile.Read(ref _entry);
        set => Volatile.Write(ref _entry, value);
    }

    /// <summary>
    /// The figures the pass last computed, for the entry they name (<see cref="MarginBookFigures.For"/>): while that is
    /// still <see cref="Entry"/>, they are the account's figures at the newest market the pass has seen.
    /// </summary>
    public MarginBookFigures? Figures
    {
        get => Volatile.Read(ref _figures);
        set => Volatile.Write(ref _figures, value);
    }

    /// <summary>True once the account stopped: the slot is dropped when its partition compacts.</summary>
    public bool HasLeft
    {
        get => _left;
        set => _left = value;
    }
}
