using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>
/// The repository's config/risk/all-models.json (every model's section, the seeded BTC/ETH history), and the engine's
/// calculators built from it the way the node's host does: one calculator per mode, each taking its model by name.
/// </summary>
public static class ShippedRiskFiles
{
    public static string AllModelsPath { get; } = Path.Combine(Root(), "config", "risk", "all-models.json");

    /// <summary>Standard and portfolio as in <see cref="AccountFixture.Models"/>; simm, var, es and composite from the file.</summary>
    public static AccountMarginModels Models { get; } = Build(RiskParametersFile.Load(AllModelsPath));

    /// <summary>A fresh read of the file, so an expected figure never comes from the objects under test.</summary>
    public static RiskParameters LoadAgain() => RiskParametersFile.Load(AllModelsPath);

    /// <summary>The file's model name behind <paramref name="mode"/>.</summary>
    public static string ModelOf(MarginMode mode) => mode switch
    {
        MarginMode.Simm => "simm",
        MarginMode.ValueAtRisk => "var",
        MarginMode.ExpectedShortfall => "es",
        MarginMode.Composite => "composite",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a mode taken from the file."),
    };

    private static AccountMarginModels Build(RiskParameters file) => new(TestParameters.StandardCalculator(), TestParameters.DeribitCalculator())
    {
        Simm = file.CreateCalculator("simm"),
        ValueAtRisk = file.CreateCalculator("var"),
        ExpectedShortfall = file.CreateCalculator("es"),
        Composite = file.CreateCalculator("composite"),
    };

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CrossMargin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("CrossMargin.sln not found above " + AppContext.BaseDirectory);
    }
}
