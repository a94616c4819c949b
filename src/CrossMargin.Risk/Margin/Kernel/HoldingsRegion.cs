namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// Where one account's double lines and balances lie in a <see cref="HoldingsStore"/> (16 bytes, kept in the row the
/// re-margin pass reads). The default region is not stored: the pass then reads the holdings themselves.
/// </summary>
public readonly struct HoldingsRegion : IEquatable<HoldingsRegion>
{
    internal HoldingsRegion(int lineStart, int balanceStart, ushort lineCount, ushort positionCount, ushort balanceCount, bool hasOrders)
    {
        LineStart = lineStart;
        BalanceStart = balanceStart;
        Lines = lineCount;
        Positions = positionCount;
        Balances = balanceCount;
        HasOrders = hasOrders;
        IsStored = true;
    }

    /// <summary>Whether the region lies in a store (false for the default region).</summary>
    public bool IsStored { get; }

    /// <summary>
    /// Whether the holdings have open orders: the double path then also reads their filled quantities, which stay with
    /// the holdings.
    /// </summary>
    public bool HasOrders { get; }

    /// <summary>How many double lines the region holds.</summary>
    public int LineCount => Lines;

    /// <summary>How many balances the region holds.</summary>
    public int BalanceCount => Balances;

    internal int LineStart { get; }

    internal int BalanceStart { get; }

    internal ushort Lines { get; }

    internal ushort Positions { get; }

    internal ushort Balances { get; }

    /// <inheritdoc />
    public bool Equals(HoldingsRegion other) => IsStored == other.IsStored && HasOrders == other.HasOrders && LineStart == other.LineStart
        && BalanceStart == other.BalanceStart && Lines == other.Lines && Balances == other.Balances && Positions == other.Positions;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HoldingsRegion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LineStart, BalanceStart, Lines, Balances, Positions, HasOrders, IsStored);

    /// <summary>Whether two regions are the same.</summary>
    public static bool operator ==(HoldingsRegion left, HoldingsRegion right) => left.Equals(right);

    /// <summary>Whether two regions differ.</summary>
    public static bool operator !=(HoldingsRegion left, HoldingsRegion right) => !left.Equals(right);
}
