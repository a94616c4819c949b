using System.Collections;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The calculators in force on this node, shared by reference the way <see cref="Prices.LatestMarket"/> shares the
/// market: an operator's new parameter set replaces them while the engine runs. A set is immutable and the swap is one
/// reference write, so a reader sees the old set or the new one, never a mixture; an account reads them afresh for
/// every decision, check and re-margin.
/// </summary>
public sealed class CurrentMarginModels
{
    private AccountMarginModels _current;
    private ScenarioMarginModel[] _scenarioModels;
    private long _version;

    /// <summary>Starts with <paramref name="initial"/> as version 1.</summary>
    public CurrentMarginModels(AccountMarginModels initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
        _scenarioModels = ScenarioModelsOf(initial);
        _version = 1;
        ScenarioModels = new ScenarioModelView(this);
    }

    /// <summary>The calculators in force.</summary>
    public AccountMarginModels Current => Volatile.Read(ref _current);

    /// <summary>How many sets have been in force, the initial one included.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Every scenario model of the set in force, composites' components included, as a live view: the price feed builds
    /// their vectors for each snapshot, and after a swap it builds the new set's without being told.
    /// </summary>
    public IReadOnlyList<ScenarioMarginModel> ScenarioModels { get; }

    /// <summary>Puts <paramref name="models"/> in force and returns its version.</summary>
    public long Swap(AccountMarginModels models)
    {
        ArgumentNullException.ThrowIfNull(models);
        Volatile.Write(ref _scenarioModels, ScenarioModelsOf(models));
        Volatile.Write(ref _current, models);
        return Interlocked.Increment(ref _version);
    }

    private static ScenarioMarginModel[] ScenarioModelsOf(AccountMarginModels models) =>
        new[] { models.StandardCross, models.Portfolio, models.Simm, models.ValueAtRisk, models.ExpectedShortfall, models.Composite }
            .OfType<MarginCalculator>()
            .SelectMany(c => ScenarioModelsOf(c.CrossModel))
            .Distinct().ToArray();

    private static IEnumerable<ScenarioMarginModel> ScenarioModelsOf(IMarginModel model) => model switch
    {
        ScenarioMarginModel scenario => [scenario],
        CompositeMarginModel composite => composite.Models.SelectMany(ScenarioModelsOf),
        _ => [],
    };

    private sealed class ScenarioModelView(CurrentMarginModels owner) : IReadOnlyList<ScenarioMarginModel>
    {
        public int Count => Volatile.Read(ref owner._scenarioModels).Length;

        public ScenarioMarginModel this[int index] => Volatile.Read(ref owner._scenarioModels)[index];

        public IEnumerator<ScenarioMarginModel> GetEnumerator() => ((IEnumerable<ScenarioMarginModel>)Volatile.Read(ref owner._scenarioModels)).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
