using System.CommandLine;
using System.Globalization;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// <c>cm trading halt|resume INSTRUMENT [--liquidation ID]</c>: stops or restarts forced liquidation on an instrument (or
/// releases one liquidation's auto-deleverage hold of it); <c>cm trading
/// accept-index ASSET</c>: lets the next index of an asset through whatever its move from the last accepted one (admin token).
/// </summary>
public static class TradingCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = new Command("trading", "Operator switches per instrument.");
        command.Subcommands.Add(Switch("halt", HttpMethod.Put, "Stop forced liquidation on INSTRUMENT (admin token). Exit code 1 for an unknown instrument.", access, output, error));
        command.Subcommands.Add(Switch("resume", HttpMethod.Delete,
            "Restart forced liquidation on INSTRUMENT and release every liquidation's auto-deleverage hold of it (admin token); with --liquidation ID, "
            + "release that liquidation's hold alone (the halt and other holds stay; exit code 1 when it holds none).", access, output, error));
        command.Subcommands.Add(AcceptIndex(access, output, error));
        return command;
    }

    private static Command AcceptIndex(NodeAccess access, TextWriter output, TextWriter error)
    {
        var asset = new Argument<string>("ASSET") { Description = "The asset whose index moves, e.g. BTC." };
        var near = new Option<decimal?>("--near") { Description = "Only an index within the band of this level uses it (e.g. 42000): a corrupt tick does not." };
        var command = new Command("accept-index",
            "Accept the next index of ASSET whatever its move from the last accepted one, once (admin token): for a real move beyond "
            + "Prices:MaxIndexMoveFraction that the feed has not confirmed. On a cluster it reaches every node. Exit code 1 for an unknown asset.") { asset, near };
        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
            s.CallAsync(HttpMethod.Post, $"/api/v1/prices/accept-next-index/{JsonText.Segment(result.GetValue(asset)!)}{Query(result.GetValue(near))}", (body, console) =>
            {
                var where = body.GetProperty("outcome").GetString() == "published" ? "on every node" : "on this node";
                var level = result.GetValue(near) is { } n ? string.Create(CultureInfo.InvariantCulture, $" within the band of {n}") : "";
                Tables.Line(console, $"accept-index: the next {result.GetValue(asset)} index{level} is accepted whatever its move {where}, once. Index in force: {body.GetProperty("lastIndex").GetDecimal()}");
            })));
        return command;
    }

    private static string Query(decimal? near) => near is { } n ? "?near=" + n.ToString(CultureInfo.InvariantCulture) : "";

    private static Command Switch(string name, HttpMethod method, string description, NodeAccess access, TextWriter output, TextWriter error)
    {
        var instrument = new Argument<string>("INSTRUMENT") { Description = "The instrument's symbol, e.g. BTC-PERP." };
        var command = new Command(name, description) { instrument };
        var liquidation = new Option<string?>("--liquidation") { Description = "One liquidation whose auto-deleverage hold of INSTRUMENT is released alone." };
        if (method == HttpMethod.Delete)
        {
            command.Options.Add(liquidation);
        }

        var options = NodeCommandOptions.AddTo(command);
        command.SetAction((result, _) => NodeSession.RunAsync(result, options, access, output, error, s =>
        {
            var one = method == HttpMethod.Delete ? result.GetValue(liquidation) : null;
            var query = one is null ? "" : "?liquidation=" + JsonText.Segment(one);
            return s.CallAsync(method, $"/api/v1/liquidation-halts/{JsonText.Segment(result.GetValue(instrument)!)}{query}", (body, console) =>
            {
                var halted = JsonText.Items(body, "symbols").Select(x => x.GetString()).ToArray();
                var what = one is null ? $"{name}: {result.GetValue(instrument)}" : $"{name}: {result.GetValue(instrument)} released for {one}";
                Tables.Line(console, $"{what}. Halted now: {(halted.Length == 0 ? "none" : string.Join(", ", halted))}");
            });
        }));
        return command;
    }
}
