namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// One line of <see cref="CompiledHoldings"/> in doubles, for <see cref="DoubleFigures"/>: a position (or an instrument
/// only orders reach, with quantity zero) with its quantity and entry price, each with its decimal's scale.
/// </summary>
internal readonly record struct FastLine(double Quantity, double Entry, int Instrument, byte QuantityScale, byte EntryScale, bool EntryPositive);
