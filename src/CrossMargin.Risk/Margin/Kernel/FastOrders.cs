namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// A line's quantities with every buy or every sell order filled, for <see cref="DoubleFigures"/>: added in decimal
/// when compiled, as the calculator adds them, so their signs (which pick an option's rate) are exact; with their scales.
/// </summary>
internal readonly record struct FastOrders(double WithBuys, double WithSells, byte WithBuysScale, byte WithSellsScale, bool Any);
