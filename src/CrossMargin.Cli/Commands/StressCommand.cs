using System.CommandLine;
using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// <c>cm stress run --shock BTC=-30%,ETH=-35%,vol=+20</c> across the live accounts of the whole cluster (or of an embedded
/// node; exit code 4 when a member did not answer), <c>cm stress portfolio</c>, the offline stress of one portfolio file
/// (<see cref="PortfolioStressCommand"/>), and <c>cm stress cascade</c>, the offline liquidation cascade of a book file
/// (<see cref="CascadeStressCommand"/>).
/// </summary>
public static class StressCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var shock = new Option<string>("--shock")
        {
            Description = "Spot moves per underlying in percent and a vol move in vol points: BTC=-30%,ETH=-35%,vol=+20.", Required = true,
        };
        var run = new Command("run", "Shock the market and re-margin every live account of the cluster with the engine's calculators: accounts that would " +
                                     "breach, total shortfall, whether the insurance fund covers the deficit, and each node's part (exit code 4 when partial).") { shock };
        var options = NodeCommandOptions.AddTo(run);
        run.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
        {
            var (spot, vol, problem) = ShockParser.Parse(result.GetValue(shock)!);
            if (problem is not null)
            {
                s.Error.WriteLine($"error: --shock: {problem}");
                return Task.FromResult(ExitCodes.Usage);
            }

            var request = JsonSerializer.Serialize(new Dictionary<string, object?> { ["spot"] = spot, ["volPoints"] = vol });
            return s.CallAsync(HttpMethod.Post, "/api/v1/stress", (body, console) =>
            {
                var summary = Tables.Create("Figure", "Value");
                Tables.Row(summary, "Accounts evaluated", JsonText.Of(body, "accountsEvaluated"));
                Tables.Row(summary, "Accounts breaching", JsonText.Of(body, "accountsBreaching"));
                Tables.Row(summary, "Of which bankrupt", JsonText.Of(body, "accountsBankrupt"));
                Tables.Row(summary, "Total shortfall (USD)", JsonText.Of(body, "totalShortfallUsd", true));
                Tables.Row(summary, "Total deficit (USD)", JsonText.Of(body, "totalDeficitUsd", true));
                var fund = JsonText.Of(body, "insuranceFundUsd", true);
                Tables.Row(summary, "Insurance fund (USD)", fund.Length > 0 ? fund : "unknown: no node asked runs the fund");
                Tables.Row(summary, "Fund covers deficit", JsonText.Of(body, "fundCoversDeficit"));
                Tables.Row(summary, "Coverage ratio", JsonText.Of(body, "coverageRatio"));
                console.Write(summary);
                var table = Tables.Create("Account", "Now", "Stressed", "Equity", "Maintenance margin", "Shortfall", "Deficit");
                foreach (var a in JsonText.Items(body, "breaching"))
                {
                    Tables.Row(table, JsonText.Of(a, "accountId"), JsonText.Of(a, "statusBefore"), JsonText.Of(a, "statusAfter"), JsonText.Of(a, "equityUsd", true),
                        JsonText.Of(a, "maintenanceMarginUsd", true), JsonText.Of(a, "shortfallUsd", true), JsonText.Of(a, "deficitUsd", true));
                }

                console.Write(table);
                ClusterCoverage.Render(body, console, "Breaching");
            }, request, body => ClusterCoverage.ExitOf(body, s.Error));
        }));
        var command = new Command("stress", "Stress tests: across the cluster's live accounts (run), of one portfolio offline (portfolio), or a liquidation cascade of a book offline (cascade).");
        command.Subcommands.Add(run);
        command.Subcommands.Add(PortfolioStressCommand.Create(output, error));
        command.Subcommands.Add(CascadeStressCommand.Create(output, error));
        return command;
    }
}
