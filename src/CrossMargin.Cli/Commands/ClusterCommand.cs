using System.CommandLine;
using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary><c>cm cluster show|tail|leave NODE|down NODE</c>.</summary>
public static class ClusterCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = new Command("cluster", "The cluster as the node sees it: members, roles, status, shards, version; live membership events.");
        var show = new Command("show", "Members with their roles, status, HTTP address, version, and shards held with their lease epochs.");
        var options = NodeCommandOptions.AddTo(show);
        show.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s => s.CallAsync(HttpMethod.Get, "/api/v1/cluster", (body, console) =>
        {
            var table = Tables.Create("Member", "Roles", "Status", "HTTP", "Version", "Up since (UTC)", "Shards");
            foreach (var member in JsonText.Items(body, "members"))
            {
                var held = Held(JsonText.Items(member, "shards").ToArray());
                Tables.Row(table, JsonText.Of(member, "name"), string.Join(",", JsonText.Items(member, "roles").Select(r => r.GetString())),
                    JsonText.Of(member, "status"), JsonText.Of(member, "httpAddress"), JsonText.Of(member, "version"), JsonText.Time(member, "upSince"), held);
            }

            Tables.Line(console, $"Cluster mode {JsonText.Of(body, "mode")}, answered by {JsonText.Of(body, "self")}, {JsonText.Of(body, "shardCount")} shards");
            console.Write(table);
        })));
        command.Subcommands.Add(show);
        command.Subcommands.Add(Tail(access, output, error));
        command.Subcommands.Add(Membership("leave", "Ask NODE to leave the cluster gracefully (hands its shards over).", access, output, error));
        command.Subcommands.Add(Membership("down", "Mark NODE as down (when it cannot leave by itself).", access, output, error));
        return command;
    }

    /// <summary>
    /// The shards a member holds and their lease epochs as the node reported them: a cluster node's leases are renewed and
    /// handed over at different epochs, so a single "epoch 0" would hide a hand-off.
    /// </summary>
    private static string Held(JsonElement[] shards)
    {
        if (shards.Length == 0)
        {
            return "none";
        }

        var ids = shards.Select(x => x.GetProperty("shardId").GetInt32()).ToArray();
        var epochs = shards.Select(x => x.TryGetProperty("epoch", out var e) && e.TryGetInt64(out var n) ? n : 0).ToArray();
        var (low, high) = (epochs.Min(), epochs.Max());
        var epoch = low == high ? $"epoch {low}" : $"epochs {low}-{high}";
        return $"{ids.Length}: {Ranges(ids)} ({epoch})";
    }

    // Shards are spread over members, rarely in one run: "0,3-5,9", where "0-9" would claim shards held elsewhere.
    private static string Ranges(int[] ids)
    {
        var sorted = ids.Order().ToArray();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < sorted.Length; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Length && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            text.Append(text.Length == 0 ? "" : ",").Append(start.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (sorted[i] != start)
            {
                text.Append('-').Append(sorted[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static Command Membership(string verb, string description, NodeAccess access, TextWriter output, TextWriter error)
    {
        var node = new Argument<string>("NODE") { Description = "The member's name." };
        var command = new Command(verb, description) { node };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Post, $"/api/v1/cluster/members/{JsonText.Segment(result.GetValue(node)!)}/{verb}",
                (body, console) => Tables.Line(console, $"{verb}: {JsonText.Of(body, "status")}"))));
        return command;
    }

    private static Command Tail(NodeAccess access, TextWriter output, TextWriter error)
    {
        var count = new Option<int?>("--count") { Description = "Stop after this many events (default: until interrupted)." };
        var all = new Option<bool>("--all") { Description = "Every event (accounts, liquidations, prices), not only membership and hand-offs." };
        var command = new Command("tail", "Follow membership and hand-off events as they happen (server-sent events from /api/events).") { count, all };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, cancellation) => NodeSession.RunAsync(result, options, access, output, error, async s =>
        {
            var path = result.GetValue(all) ? "/api/events" : "/api/events?types=member,handoff";
            using var response = await s.StreamAsync(path, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                return s.Fail(new NodeReply((int)response.StatusCode, null));
            }

            var limit = result.GetValue(count);
            var seen = 0;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
            while (limit is null || seen < limit)
            {
                var line = await reader.ReadLineAsync(cancellation);
                if (line is null)
                {
                    break;
                }

                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                seen++;
                var data = line["data: ".Length..];
                s.Output.WriteLine(s.Json ? data : Describe(JsonDocument.Parse(data).RootElement));
                s.Output.Flush();
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Describe(JsonElement e)
    {
        var type = JsonText.Of(e, "type");
        var time = JsonText.Of(e, "time");
        var data = e.GetProperty("data");
        return type switch
        {
            "member" => $"{time} member " + string.Join("; ", JsonText.Items(data, "members").Select(m =>
                $"{JsonText.Of(m, "name")} {JsonText.Of(m, "status")} at {JsonText.Of(m, "httpAddress")} holding {JsonText.Items(m, "shards").Count()} shards")),
            "handoff" => $"{time} {JsonText.Of(data, "nodeId")} {JsonText.Of(data, "kind")}: {JsonText.Of(data, "detail")}",
            "account" => $"{time} account {JsonText.Of(data, "accountId")} {JsonText.Of(data, "from")} -> {JsonText.Of(data, "to")}",
            "liquidation" => $"{time} liquidation {JsonText.Of(data, "kind")} {JsonText.Of(data, "liquidationId")} {JsonText.Of(data, "accountId")} " +
                             $"{JsonText.Of(data, "side")} {JsonText.Of(data, "quantity")} {JsonText.Of(data, "symbol")}",
            _ => $"{time} {type} {data.GetRawText()}",
        };
    }
}
