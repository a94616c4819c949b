namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>One balance of <see cref="CompiledHoldings"/> in doubles, for <see cref="DoubleFigures"/>.</summary>
internal readonly record struct FastBalance(double Amount, int Asset, byte AmountScale);
