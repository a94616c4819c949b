using CrossMargin.Engine.Accounts;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Hosting;

/// <summary>Checks <see cref="NodeOptions"/> at start, naming each bad setting and what would be accepted.</summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("Node:Name must not be empty.");
        }

        if (!Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            failures.Add($"Node:HttpUrl must be an absolute http(s) URL such as http://127.0.0.1:5080, not '{options.HttpUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Node:DataDirectory must name a directory.");
        }

        if (options.ShardCount is < 1 or > 65_536)
        {
            failures.Add($"Node:ShardCount must be between 1 and 65536, not {options.ShardCount}.");
        }

        if (options.MaxSequenceJump < 1)
        {
            failures.Add($"Node:MaxSequenceJump must be 1 or more (default {MessageLedger.DefaultMaxJump}), not {options.MaxSequenceJump}.");
        }

        foreach (var (key, value) in new[]
                 {
                     ("MarketFile", options.MarketFile), ("StandardMarginFile", options.StandardMarginFile),
                     ("PortfolioMarginFile", options.PortfolioMarginFile), ("SimmMarginFile", options.SimmMarginFile),
                     ("HistoricalMarginFile", options.HistoricalMarginFile), ("CompositeMarginFile", options.CompositeMarginFile),
                 })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Node:{key} must name a file.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
