using CrossMargin.Risk.Pricing;

namespace CrossMargin.Risk.Tests.Pricing;

public class NormalDistributionTests
{
    // Reference values: Φ(x) evaluated independently at 40 significant digits (mpmath 1.3 ncdf) and
    // rounded to 17; the first three agree with standard tables (Φ(−1) = 0.158655…, Φ(1.96) = 0.9750021…).
    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(-1.0, 0.15865525393145705141)]
    [InlineData(1.96, 0.97500210485177956379)]
    [InlineData(-0.5, 0.30853753872598689636)]
    [InlineData(0.3, 0.61791142218895263307)]
    [InlineData(3.0, 0.99865010196836990547)]
    [InlineData(8.0, 0.9999999999999993779)]
    [InlineData(-5.0, 2.8665157187919391167e-7)]
    [InlineData(-10.0, 7.619853024160526066e-24)]
    [InlineData(-20.0, 2.7536241186062336951e-89)]
    [InlineData(-37.0, 5.7255712225245768227e-300)]
    public void Cdf_matches_reference_values_to_1e15_relative(double x, double expected)
    {
        var actual = NormalDistribution.Cdf(x);

        Assert.True(
            Math.Abs(actual - expected) <= 1e-15 * expected,
            $"Cdf({x}) = {actual:R}, expected {expected:R}, relative error {Math.Abs(actual - expected) / expected:E2}");
    }

    [Fact]
    public void Cdf_is_symmetric_about_zero()
    {
        for (var x = -8.0; x <= 8.0; x += 0.01)
        {
            Assert.Equal(1.0, NormalDistribution.Cdf(x) + NormalDistribution.Cdf(-x), 1e-15);
        }
    }

    [Fact]
    public void Cdf_is_monotone_across_the_range_boundaries_of_the_approximation()
    {
        // Cody's ranges meet at |x|/√2 = 0.5 and 4, i.e. |x| ≈ 0.7071 and 5.657.
        var previous = 0.0;
        for (var x = -38.0; x <= 9.0; x += 1.0 / 1024.0)
        {
            var current = NormalDistribution.Cdf(x);
            Assert.True(current >= previous, $"Cdf decreased at {x}");
            previous = current;
        }
    }

    [Fact]
    public void Cdf_handles_infinities_and_nan()
    {
        Assert.Equal(0.0, NormalDistribution.Cdf(double.NegativeInfinity));
        Assert.Equal(1.0, NormalDistribution.Cdf(double.PositiveInfinity));
        Assert.True(double.IsNaN(NormalDistribution.Cdf(double.NaN)));
    }

    [Fact]
    public void Pdf_matches_the_closed_form()
    {
        // φ(1) = exp(−½)/√(2π) = 0.24197072451914334980 (40-digit reference, mpmath npdf).
        Assert.Equal(0.24197072451914334980, NormalDistribution.Pdf(1.0), 1e-16);
        Assert.Equal(1.0 / Math.Sqrt(2.0 * Math.PI), NormalDistribution.Pdf(0.0), 1e-16);
        Assert.Equal(NormalDistribution.Pdf(2.5), NormalDistribution.Pdf(-2.5));
        Assert.Equal(0.0, NormalDistribution.Pdf(double.PositiveInfinity));
    }

    [Fact]
    public void Pdf_is_the_derivative_of_Cdf()
    {
        const double H = 1e-5;
        for (var x = -6.0; x <= 6.0; x += 0.25)
        {
            var slope = (NormalDistribution.Cdf(x + H) - NormalDistribution.Cdf(x - H)) / (2 * H);
            Assert.Equal(NormalDistribution.Pdf(x), slope, 1e-9);
        }
    }
}
