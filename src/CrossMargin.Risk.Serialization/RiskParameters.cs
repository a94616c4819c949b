using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Simm;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Risk.Serialization;

/// <summary>
/// A parameter file's content: collateral haircuts, standard parameters, the cross pool's model, and the optional
/// sections of the further models (scenario, SIMM-style, historical VaR/ES, composite, named stresses).
/// </summary>
/// <param name="Description">What the file reproduces, from the file.</param>
/// <param name="Collateral">Collateral haircuts.</param>
/// <param name="Standard">Standard parameters (isolated positions, and the cross pool when the model is standard).</param>
/// <param name="Portfolio">Scenario parameters when the file has them, else null.</param>
/// <param name="Simm">SIMM-style parameters, or null.</param>
/// <param name="Historical">Historical-simulation parameters and history, or null.</param>
/// <param name="Composite">The models a composite takes the max of, or null.</param>
/// <param name="StressScenarios">Named stresses (none when absent).</param>
/// <param name="Model">The cross pool's model: standard, portfolio, simm, var, es or composite (null: portfolio when given, else standard).</param>
public sealed record RiskParameters(
    string Description,
    CollateralSchedule Collateral,
    StandardMarginParameters Standard,
    PortfolioMarginParameters? Portfolio,
    SimmParameters? Simm = null,
    HistoricalSettings? Historical = null,
    IReadOnlyList<string>? Composite = null,
    IReadOnlyList<StressScenario>? StressScenarios = null,
    string? Model = null)
{
    /// <summary>The models a file can select, in the order <c>--model all</c> shows them.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = ["standard", "portfolio", "simm", "var", "es", "composite"];

    /// <summary>The cross pool's model name.</summary>
    public string SelectedModel => Model ?? (Portfolio is null ? "standard" : "portfolio");

    /// <summary>The models this file has parameters for, in <see cref="ModelNames"/> order.</summary>
    public IReadOnlyList<string> AvailableModels => ModelNames.Where(Has).ToArray();

    /// <summary>A calculator for the file's own model.</summary>
    public MarginCalculator CreateCalculator() => CreateCalculator(SelectedModel);

    /// <summary>A calculator whose cross pool uses <paramref name="model"/>; throws when the file lacks its section.</summary>
    public MarginCalculator CreateCalculator(string model) => new(CreateModel(model), new StandardMarginModel(Standard), Collateral);

    /// <summary>The model called <paramref name="model"/>; throws <see cref="RiskInputException"/> when the file lacks its section.</summary>
    public IMarginModel CreateModel(string model)
    {
        if (!Has(model))
        {
            throw new RiskInputException(ModelNames.Contains(model)
                ? $"model {model}: the parameter file has no \"{Section(model)}\" section."
                : $"model {model}: not one of {string.Join(", ", ModelNames)}.");
        }

        return model switch
        {
            "standard" => new StandardMarginModel(Standard),
            "portfolio" => new ScenarioMarginModel(Portfolio!),
            "simm" => new SimmMarginModel(Simm!),
            "var" => new HistoricalSimulationModel(Historical!.Parameters with { Measure = RiskMeasure.ValueAtRisk }, Historical.History),
            "es" => new HistoricalSimulationModel(Historical!.Parameters with { Measure = RiskMeasure.ExpectedShortfall }, Historical.History),
            _ => new CompositeMarginModel(Composite!.Select(CreateModel)),
        };
    }

    private bool Has(string model) => model switch
    {
        "standard" => true,
        "portfolio" => Portfolio is not null,
        "simm" => Simm is not null,
        "var" or "es" => Historical is not null,
        "composite" => Composite is { Count: > 0 },
        _ => false,
    };

    private static string Section(string model) => model is "var" or "es" ? "historical" : model;
}
