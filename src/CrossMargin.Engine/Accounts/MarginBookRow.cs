using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// What a <see cref="MarginPass"/> reads of one slot, kept in its partition's contiguous row array
/// (<see cref="MarginBookRows"/>) rather than on the account's own pages: the holdings, their kernel and account id, where
/// their double lines lie in the partition's <see cref="HoldingsStore"/>, the figures cell, and the counter that names the
/// version the account wrote. 64 bytes, so a pass reads a page of rows where it used to walk one page per account.
/// </summary>
/// <remarks>
/// The account writes <see cref="Holdings"/>, <see cref="Kernel"/>, <see cref="AccountId"/>, <see cref="Region"/>, the
/// region's lines and balances when it writes them in place, and the slot's held figures, under its partition's lock,
/// between two writes of <see cref="Sequence"/> (odd while writing); the pass reads the row between two reads of it and
/// reads again when it was odd or changed (<see cref="MarginBookRows.Read"/>), and reads it a third time after it
/// computed from the region, discarding what it computed when it changed (<see cref="MarginBookRows.IsUnchanged"/>).
/// The even value is the version (<see cref="MarginBookSlot.Version"/>) that names what the account wrote in place of an
/// object per write: a rebuilt row array carries it over, so a slot's versions never repeat. <see cref="Cell"/> is the
/// pass's alone (a copy of <see cref="MarginBookSlot.Cell"/>, which stays the truth).
/// </remarks>
internal struct MarginBookRow
{
    /// <summary>Odd while the account writes the row or its region; else the version it wrote last.</summary>
    public int Sequence;

    /// <summary>Where the holdings' double lines and balances lie (not stored: the pass reads the holdings).</summary>
    public HoldingsRegion Region;

    /// <summary>The slot (null for rows beyond the count).</summary>
    public MarginBookSlot? Slot;

    /// <summary>The account's compiled holdings; null while the kernel cannot margin it.</summary>
    public CompiledHoldings? Holdings;

    /// <summary>The holdings' kernel.</summary>
    public StandardCrossKernel? Kernel;

    /// <summary>The account id.</summary>
    public string? AccountId;

    /// <summary>The slot's figures cell as the pass last saw it (null until the pass has seen one).</summary>
    public MarginBookCell? Cell;
}
