namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>One row of the risk array: a move of the underlying, a vol shock, and the fraction of the loss counted.</summary>
/// <param name="Move">The move, in <paramref name="Unit"/>; -1/3 with PriceRange is a fall of a third of the range.</param>
/// <param name="Unit">Unit of the move.</param>
/// <param name="Vol">Vol shock direction.</param>
/// <param name="Weight">Fraction of the scenario's loss that counts: 1 for ordinary rows, 0.35 for SPAN's extreme moves.</param>
public sealed record Scenario(double Move, MoveUnit Unit, VolShockDirection Vol, double Weight)
{
    /// <summary>The move as a fraction of price for an underlying whose price range is <paramref name="priceRange"/>.</summary>
    public double FractionFor(double priceRange) => Unit == MoveUnit.PriceRange ? Move * priceRange : Move;

    /// <summary>A short label such as "-2/3 range, vol up (x1)".</summary>
    public string Label => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{(Unit == MoveUnit.PriceRange ? $"{Move:+0.####;-0.####;0} x range" : $"{Move:+0.##%;-0.##%;0%}")}, vol {Vol.ToString().ToLowerInvariant()}{(Weight == 1 ? "" : $", {Weight:0.##%} counted")}");
}
