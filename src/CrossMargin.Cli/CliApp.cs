using System.CommandLine;
using CrossMargin.Cli.Commands;

namespace CrossMargin.Cli;

/// <summary>The <c>cm</c> command tree, on streams of the caller's choosing so tests can run it in-process.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("cm: the CrossMargin command line. Margin calculator, stress tester and option pricer; node operation verbs arrive with the node.")
        {
            MarginCommand.Create(output, error),
            StressCommand.Create(output, error),
            PriceCommand.Create(input, output, error),
        };
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
