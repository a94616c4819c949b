namespace CrossMargin.Risk.Historical;

/// <summary>Which tail measure a historical-simulation model charges.</summary>
public enum RiskMeasure
{
    /// <summary>Value-at-Risk: the loss exceeded in (1 - confidence) of scenarios.</summary>
    ValueAtRisk,

    /// <summary>Expected Shortfall: the mean loss in the worst (1 - confidence) of scenarios.</summary>
    ExpectedShortfall,
}
