namespace CrossMargin.Risk.Historical;

/// <summary>Parameters of historical-simulation VaR / ES.</summary>
/// <param name="Measure">What the margin charges.</param>
/// <param name="VarConfidence">VaR confidence (0.99).</param>
/// <param name="EsConfidence">ES confidence (0.975).</param>
/// <param name="HorizonDays">Horizon in days (1 or more).</param>
/// <param name="Horizon">Square-root-of-time scaling or overlapping windows.</param>
/// <param name="LookbackDays">One-day returns used, the most recent ones.</param>
/// <param name="EwmaLambda">Decay of the EWMA volatility filter (0.94, RiskMetrics), or null for plain historical simulation.</param>
/// <param name="StressedFrom">First date of the stressed period (returns dated from it), or null for no floor.</param>
/// <param name="StressedTo">Last date of the stressed period.</param>
/// <param name="MaintenanceFactor">MM / IM, in (0, 1].</param>
public sealed record HistoricalSimulationParameters(
    RiskMeasure Measure = RiskMeasure.ExpectedShortfall,
    double VarConfidence = 0.99,
    double EsConfidence = 0.975,
    int HorizonDays = 1,
    HorizonMethod Horizon = HorizonMethod.SquareRootOfTime,
    int LookbackDays = 500,
    double? EwmaLambda = null,
    DateOnly? StressedFrom = null,
    DateOnly? StressedTo = null,
    double MaintenanceFactor = 0.8)
{
    /// <summary>Checks the parameters; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public HistoricalSimulationParameters Validate()
    {
        if (!(VarConfidence is > 0.5 and < 1) || !(EsConfidence is > 0.5 and < 1))
        {
            throw new ArgumentException("Confidences must be in (0.5, 1).");
        }

        if (HorizonDays < 1 || LookbackDays < 2)
        {
            throw new ArgumentException("The horizon must be at least 1 day and the lookback at least 2 days.");
        }

        if (Horizon == HorizonMethod.OverlappingWindows && HorizonDays > LookbackDays)
        {
            throw new ArgumentException($"Overlapping windows of {HorizonDays} days need a lookback of at least that many days, not {LookbackDays}.");
        }

        if (EwmaLambda is { } l && !(l is > 0 and < 1))
        {
            throw new ArgumentException($"The EWMA lambda must be in (0, 1), not {l}.");
        }

        if ((StressedFrom is null) != (StressedTo is null) || StressedFrom > StressedTo)
        {
            throw new ArgumentException("A stressed period needs both dates, from no later than to.");
        }

        if (!(MaintenanceFactor is > 0 and <= 1))
        {
            throw new ArgumentException("The maintenance factor must be in (0, 1].");
        }

        return this;
    }
}
