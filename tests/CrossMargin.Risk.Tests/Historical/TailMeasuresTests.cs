using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Historical;

public class TailMeasuresTests
{
    [Fact]
    public void Five_hundred_scenarios_at_99_percent_take_the_fifth_worst_loss_as_in_Hull()
    {
        // Hull (Risk Management and Financial Institutions, historical simulation): 500 scenarios, 99% VaR = 5th worst.
        var losses = Enumerable.Range(1, 500).Select(i => (double)i).Reverse().ToArray();
        var sorted = TailMeasures.WorstFirst(losses);

        Assert.Equal(5, TailMeasures.TailCount(500, 0.99));
        Assert.Equal(496, TailMeasures.ValueAtRisk(sorted, 0.99));
        Assert.Equal((500 + 499 + 498 + 497 + 496) / 5.0, TailMeasures.ExpectedShortfall(sorted, 0.99));
        Assert.Equal(13, TailMeasures.TailCount(500, 0.975));
    }

    [Fact]
    public void Normal_losses_give_the_textbook_quantiles_and_ES_975_close_to_VaR_99()
    {
        // N^-1(0.99) = 2.3263; ES at 97.5% of a standard normal = pdf(1.95996) / 0.025 = 2.3378 (Basel's reason for
        // swapping 99% VaR for 97.5% ES).
        var random = new Random(7);
        var losses = new double[200_000];
        for (var i = 0; i < losses.Length; i++)
        {
            losses[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        var sorted = TailMeasures.WorstFirst(losses);

        Assert.Equal(2.3263, TailMeasures.ValueAtRisk(sorted, 0.99), 0.03);
        Assert.Equal(2.3378, TailMeasures.ExpectedShortfall(sorted, 0.975), 0.03);
    }

    [Fact]
    public void Expected_shortfall_is_never_below_value_at_risk_at_the_same_confidence()
    {
        var gen =
            from n in Gen.Choose(1, 400)
            from values in Gen.ArrayOf(Gen.Choose(-1_000_000, 1_000_000), n)
            from confidencePermille in Gen.Choose(501, 999)
            select (Losses: values.Select(v => v / 100.0).ToArray(), Confidence: confidencePermille / 1000.0);

        PropertyCheck.ForAll(gen, x =>
        {
            var sorted = TailMeasures.WorstFirst(x.Losses);
            Assert.True(TailMeasures.ExpectedShortfall(sorted, x.Confidence) >= TailMeasures.ValueAtRisk(sorted, x.Confidence));
        }, cases: 300);
    }
}
