using CrossMargin.Risk.Historical;

namespace CrossMargin.Risk.Tests.Historical;

public class EwmaFilterTests
{
    [Fact]
    public void Variance_follows_the_RiskMetrics_recursion_by_hand()
    {
        double[] r = [0.01, -0.02, 0.03];
        const double lambda = 0.94;

        var (variances, current) = EwmaFilter.Variances(r, lambda);

        // Seed: mean square of the (three) returns = (1 + 4 + 9)e-4 / 3.
        var v0 = 14e-4 / 3;
        var v1 = (0.94 * v0) + (0.06 * 1e-4);
        var v2 = (0.94 * v1) + (0.06 * 4e-4);
        var v3 = (0.94 * v2) + (0.06 * 9e-4);
        Assert.Equal(3, variances.Length);
        Assert.Equal(v0, variances[0], 15);
        Assert.Equal(v1, variances[1], 15);
        Assert.Equal(v2, variances[2], 15);
        Assert.Equal(v3, current, 15);
    }

    [Fact]
    public void Filtering_rescales_each_return_to_the_current_volatility()
    {
        double[] r = [0.01, -0.02, 0.03, -0.01];

        var filtered = EwmaFilter.Filter(r, 0.9);

        var (variances, current) = EwmaFilter.Variances(r, 0.9);
        for (var t = 0; t < r.Length; t++)
        {
            Assert.Equal(r[t] * Math.Sqrt(current / variances[t]), filtered[t], 15);
        }
    }
}
