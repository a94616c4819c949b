using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin;

/// <summary>
/// The most conservative of several models: IM = max of their IMs, MM = max of their MMs (each taken separately, so
/// MM never exceeds IM when no component's does). Selected per account like any <see cref="IMarginModel"/>.
/// </summary>
public sealed class CompositeMarginModel : IMarginModel
{
    private readonly IMarginModel[] _models;

    /// <summary>Creates the composite of <paramref name="models"/> (at least one, names distinct).</summary>
    public CompositeMarginModel(IEnumerable<IMarginModel> models)
    {
        _models = models.ToArray();
        if (_models.Length == 0)
        {
            throw new ArgumentException("A composite needs at least one model.", nameof(models));
        }

        if (_models.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != _models.Length)
        {
            throw new ArgumentException("A composite's models must have distinct names.", nameof(models));
        }

        Name = $"composite({string.Join('+', _models.Select(m => m.Name))})";
    }

    /// <summary>The component models, in order.</summary>
    public IReadOnlyList<IMarginModel> Models => _models;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var components = _models.Select(m => new ModelRequirement(m.Name, m.Compute(positions, openOrders, market))).ToArray();
        var im = components[0];
        var mm = components[0];
        foreach (var c in components.Skip(1))
        {
            im = c.Requirement.InitialMarginUsd > im.Requirement.InitialMarginUsd ? c : im;
            mm = c.Requirement.MaintenanceMarginUsd > mm.Requirement.MaintenanceMarginUsd ? c : mm;
        }

        return new MarginRequirement(im.Requirement.InitialMarginUsd, mm.Requirement.MaintenanceMarginUsd,
            Composite: new CompositeExplanation(im.Model, mm.Model, components));
    }

    /// <inheritdoc />
    public RequirementFigures ComputeFigures(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var first = _models[0].ComputeFigures(positions, openOrders, market);
        var (im, mm) = (first.InitialMarginUsd, first.MaintenanceMarginUsd);
        for (var i = 1; i < _models.Length; i++)
        {
            var figures = _models[i].ComputeFigures(positions, openOrders, market);
            im = figures.InitialMarginUsd > im ? figures.InitialMarginUsd : im;
            mm = figures.MaintenanceMarginUsd > mm ? figures.MaintenanceMarginUsd : mm;
        }

        return new RequirementFigures(im, mm);
    }
}
