using System.CommandLine;

namespace CrossMargin.Cli.Commands;

/// <summary>The <c>cm price</c> command: Black-76 prices and Greeks for JSON-lines options.</summary>
public static class PriceCommand
{
    private const string Description =
        "Price European options on forwards with Black-76. Reads JSON lines from standard input, one option each, " +
        "with every field required: {\"kind\":\"call\"|\"put\",\"forward\":F,\"strike\":K,\"years\":T,\"vol\":sigma,\"rate\":r} " +
        "(forward, strike > 0; years, vol >= 0 as fractions, e.g. 0.8 for 80%; rate continuously compounded, may be negative). " +
        "Writes one JSON line per input line with the same fields plus price, delta and gamma (with respect to the forward), " +
        "vega (per 1.00 of vol), theta (per year, -dV/dT) and rho (per 1.00 of rate, forward fixed). " +
        "A bad line yields {\"line\":N,\"error\":\"...\"} in its place and a message on standard error; blank lines are skipped. " +
        "Exit code 0 if every line was priced, 1 if any line was rejected.";

    /// <summary>Creates the <c>price</c> command, for the root command to add.</summary>
    /// <returns>A command whose action runs <see cref="PricePipeline"/> on the given streams.</returns>
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        // The output is JSON lines either way; --json is accepted so a script can pass it to every cm command alike.
        var json = new Option<bool>("--json") { Description = "Accepted for symmetry with every other command: the output is always JSON lines." };
        var command = new Command("price", Description) { json };
        command.SetAction(_ => PricePipeline.Run(input, output, error));
        return command;
    }
}
