using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Hosting;

/// <summary>The node itself: where it listens, keeps its data and finds its market (config/node.json, section <c>Node</c>).</summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Node";

    /// <summary>Name of this node in logs, metrics and the journal's writer id.</summary>
    public string Name { get; set; } = "node-1";

    /// <summary>Where the HTTP API listens; loopback by default because it takes money-moving messages.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Directory of the SQLite journal and the log files; unless rooted, relative to the directory that holds the configuration directory (the repository root for <c>config/</c>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>How many shards accounts are spread over; fixed for the life of a journal (it decides who owns an account).</summary>
    public int ShardCount { get; set; } = 64;

    /// <summary>The venue's instruments and opening market, relative to the configuration directory unless rooted.</summary>
    public string MarketFile { get; set; } = "venue/market.json";

    /// <summary>Standard (tiered) margin parameters, relative to the configuration directory unless rooted.</summary>
    public string StandardMarginFile { get; set; } = "risk/standard.json";

    /// <summary>Portfolio (scenario) margin parameters, relative to the configuration directory unless rooted.</summary>
    public string PortfolioMarginFile { get; set; } = "risk/deribit-pm.json";

    /// <summary>
    /// Parameters of accounts in <c>simm</c> mode (the file's <c>simm</c> section, whatever its own <c>model</c>), relative
    /// to the configuration directory unless rooted.
    /// </summary>
    public string SimmMarginFile { get; set; } = "risk/all-models.json";

    /// <summary>
    /// Parameters of accounts in <c>var</c> and <c>es</c> mode (the file's <c>historical</c> section and its price
    /// history), relative to the configuration directory unless rooted.
    /// </summary>
    public string HistoricalMarginFile { get; set; } = "risk/all-models.json";

    /// <summary>
    /// Parameters of accounts in <c>composite</c> mode (the file's <c>composite</c> list and the sections it names),
    /// relative to the configuration directory unless rooted.
    /// </summary>
    public string CompositeMarginFile { get; set; } = "risk/all-models.json";

    /// <summary>
    /// How far beyond its source's highest applied sequence for an account a message's may be; one further is refused
    /// <c>sequenceJump</c> (see the README's message contract). Every node of a cluster must use the same value.
    /// </summary>
    public long MaxSequenceJump { get; set; } = MessageLedger.DefaultMaxJump;

    /// <summary>The data directory as an absolute path, given the configuration directory.</summary>
    public string DataPath(string configDirectory) =>
        Path.GetFullPath(DataDirectory, Path.GetDirectoryName(Path.GetFullPath(configDirectory)) ?? Directory.GetCurrentDirectory());
}
