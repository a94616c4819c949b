using System.CommandLine;
using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm cluster-sharding region-stats|shard-stats|locate ACCOUNT</c>.</summary>
public static class ClusterShardingCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = new Command("cluster-sharding", "The account shard region: where shards live and what they hold.");
        var region = new Command("region-stats", "Shards started and live accounts per shard: of the whole cluster on a cluster node (each shard counted by its owner; exit code 4 when an owner did not answer).");
        var regionOptions = NodeCommandOptions.AddTo(region);
        region.SetAction((result, _) => NodeSession.RunAsync(result, regionOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/sharding/regions/account", (body, console) =>
            {
                Tables.Line(console, $"Region {JsonText.Of(body, "typeName")} ({ScopeOf(body)}, answered by {JsonText.Of(body, "node")}): " +
                                     $"{JsonText.Of(body, "shardsStarted")} of {JsonText.Of(body, "shardCount")} shards started, {JsonText.Of(body, "totalEntities")} live accounts");
                var table = Tables.Create("Shard", "Entities");
                foreach (var shard in JsonText.Items(body, "shards").Where(x => x.GetProperty("started").GetBoolean()))
                {
                    Tables.Row(table, JsonText.Of(shard, "shardId"), JsonText.Of(shard, "entities"));
                }

                console.Write(table);
            }, exitOf: body => PartialExit(body, s.Error))));
        var shards = new Command("shard-stats", "Every shard: owner, lease epoch, live accounts (counted by its owner), queue depth; --json writes the region with its shards.");
        var shardOptions = NodeCommandOptions.AddTo(shards);
        shards.SetAction((result, _) => NodeSession.RunAsync(result, shardOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, "/api/v1/sharding/regions/account", (body, console) =>
            {
                Tables.Line(console, $"Shards of region {JsonText.Of(body, "typeName")} ({ScopeOf(body)}, answered by {JsonText.Of(body, "node")})");
                var table = Tables.Create("Shard", "Owner", "Epoch", "Started", "Entities", "Queue depth");
                foreach (var shard in JsonText.Items(body, "shards"))
                {
                    var depth = JsonText.Of(shard, "queueDepth");
                    Tables.Row(table, JsonText.Of(shard, "shardId"), JsonText.Of(shard, "owner"), JsonText.Of(shard, "epoch"), JsonText.Of(shard, "started"),
                        JsonText.Of(shard, "entities"), depth.Length == 0 ? "n/a" : depth);
                }

                console.Write(table);
            }, exitOf: body => PartialExit(body, s.Error))));
        var account = new Argument<string>("ACCOUNT") { Description = "The account id." };
        var locate = new Command("locate", "The shard an account belongs to and the node holding it.") { account };
        var locateOptions = NodeCommandOptions.AddTo(locate);
        locate.SetAction((result, _) => NodeSession.RunAsync(result, locateOptions, access, output, error, s =>
            s.CallAsync(HttpMethod.Get, $"/api/v1/sharding/regions/account/locate/{JsonText.Segment(result.GetValue(account)!)}", (body, console) =>
            {
                var table = Tables.Create("Account", "Shard", "Owner", "Epoch");
                Tables.Row(table, JsonText.Of(body, "accountId"), JsonText.Of(body, "shardId"), JsonText.Of(body, "owner"), JsonText.Of(body, "epoch"));
                console.Write(table);
            })));
        command.Subcommands.Add(region);
        command.Subcommands.Add(shards);
        command.Subcommands.Add(locate);
        return command;
    }

    private static string ScopeOf(JsonElement body) =>
        JsonText.Of(body, "scope") == "cluster" ? "whole cluster, each shard counted by its owner" + (JsonText.Of(body, "partial") == "yes" ? ", PARTIAL" : "") : "this node";

    /// <summary>Exit code 4, after naming the owners that did not answer, when their shards' counts are missing.</summary>
    private static int PartialExit(JsonElement body, TextWriter error)
    {
        if (JsonText.Of(body, "partial") != "yes")
        {
            return ExitCodes.Ok;
        }

        error.WriteLine("warning: partial answer: no counts from " + string.Join(", ", JsonText.Items(body, "unanswered").Select(x => x.GetString())));
        return ExitCodes.Partial;
    }
}
