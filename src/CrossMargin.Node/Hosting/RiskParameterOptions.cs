namespace CrossMargin.Node.Hosting;

/// <summary>How a cluster node follows parameter sets applied on other nodes (config/risk-parameters.json, section <c>RiskParameters</c>).</summary>
public sealed class RiskParameterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "RiskParameters";

    /// <summary>
    /// How often a cluster node reads the parameter history even without a notice, so a missed notice (a dropped LISTEN
    /// connection) is caught within this interval.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
