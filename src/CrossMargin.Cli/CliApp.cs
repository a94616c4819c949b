using System.CommandLine;
using CrossMargin.Cli.Commands;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli;

/// <summary>The <c>cm</c> command tree, on streams of the caller's choosing so tests can run it in-process.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error) => Run(args, input, output, error, new NodeAccess());

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command, reaching nodes through <paramref name="node"/>; returns the
    /// exit code (<see cref="ExitCodes"/>).
    /// </summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error, NodeAccess node)
    {
        var root = CreateRoot(input, output, error, node);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // Usage errors are exit code 2 (System.CommandLine's own default is 1, which scripts read as a negative answer).
                foreach (var problem in parsed.Errors)
                {
                    error.WriteLine($"error: {problem.Message}");
                }

                error.WriteLine("See cm --help, or cm COMMAND --help.");
                return ExitCodes.Usage;
            }

            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
    }

    /// <summary>The whole command tree, its actions bound to the given streams and node access (tests walk it).</summary>
    public static RootCommand CreateRoot(TextReader input, TextWriter output, TextWriter error, NodeAccess node)
    {
        return new RootCommand("cm: the CrossMargin command line. The offline margin calculator, portfolio stress tester and option pricer, and the operator verbs " +
                               "that ask a node (--node URL or $CROSSMARGIN_NODE, --token or $CROSSMARGIN_TOKEN, --json). Exit codes: 0 ok, " +
                               "1 negative answer (not found, refused as not applicable), 2 usage or input error, 3 node unreachable, auth refused or node error, " +
                               "4 partial answer (a cluster member did not answer).")
        {
            MarginCommand.Create(node, output, error),
            PriceCommand.Create(input, output, error),
            ClusterCommand.Create(node, output, error),
            ClusterShardingCommand.Create(node, output, error),
            AccountCommand.Create(node, output, error),
            MarginExplainCommand.Create(node, output, error),
            LiquidationsCommand.Create(node, output, error),
            InsuranceFundCommand.Create(node, output, error),
            ExpiryCommand.Create(node, output, error),
            RiskCommand.Create(node, output, error),
            TradingCommand.Create(node, output, error),
            StressCommand.Create(node, output, error),
            LogCommand.Create(node, output, error),
            RejectionsCommand.Create(node, output, error),
        };
    }
}
