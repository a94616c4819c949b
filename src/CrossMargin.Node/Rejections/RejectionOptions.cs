namespace CrossMargin.Node.Rejections;

/// <summary>How refused inbound messages are kept (<c>config/rejections.json</c>, section <c>Rejections</c>).</summary>
public sealed class RejectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Rejections";

    /// <summary>The most entries the setting may ask for: each is a few hundred bytes, kept for as long as the node runs.</summary>
    public const int MaxRecentEntries = 100_000;

    /// <summary>How many of the newest refusals the node keeps in memory for <c>GET /api/v1/rejections</c> (1 to 100,000).</summary>
    public int RecentEntries { get; set; } = 1_000;
}
