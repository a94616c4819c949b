namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// One line of <see cref="CompiledHoldings"/> in doubles, for <see cref="DoubleFigures"/>: a position (or an instrument
/// only orders reach, with quantity zero), with its quantity, entry price, and the quantities with every buy or every sell
/// order filled (added in decimal when compiled, so their signs are exact), each with its decimal's scale.
/// </summary>
internal readonly record struct FastLine(
    int Instrument, double Quantity, double Entry, double WithBuys, double WithSells, bool HasOrders, bool EntryPositive,
    int QuantityScale, int EntryScale, int WithBuysScale, int WithSellsScale);
