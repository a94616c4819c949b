using System.CommandLine;
using CrossMargin.Cli.Commands;

var root = new RootCommand("cm: the CrossMargin command line. Margin calculator and option pricer now; node operation verbs as the cluster lands.")
{
    MarginCommand.Create(),
    PriceCommand.Create(),
};

try
{
    return root.Parse(args).Invoke();
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
