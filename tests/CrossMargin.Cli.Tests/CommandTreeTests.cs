using System.CommandLine;
using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Tests;

/// <summary>What holds for every command of the tree, so a new verb cannot forget it.</summary>
public sealed class CommandTreeTests
{
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var child in command.Subcommands)
        {
            foreach (var found in Walk(child, path + " " + child.Name))
            {
                yield return found;
            }
        }
    }

    [Fact]
    public void Every_command_that_does_something_takes_json()
    {
        var root = CliApp.CreateRoot(TextReader.Null, TextWriter.Null, TextWriter.Null, new NodeAccess { Environment = _ => null });

        var runnable = Walk(root, "cm").Where(c => c.Command.Action is not null).ToArray();
        var without = runnable.Where(c => !c.Command.Options.Any(o => o.Name == "--json")).Select(c => c.Path).ToArray();

        Assert.True(runnable.Length >= 25, $"only {runnable.Length} commands found: the walk missed the tree");
        Assert.Empty(without);
    }

    [Fact]
    public void Price_with_json_writes_the_same_json_lines_as_without()
    {
        const string option = """{"kind":"call","forward":60000,"strike":60000,"years":0.25,"vol":0.6,"rate":0}""";
        string Price(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exit = CliApp.Run(args, new StringReader(option), output, error);
            Assert.True(exit == ExitCodes.Ok, error.ToString());
            return output.ToString();
        }

        var plain = Price("price");
        var json = Price("price", "--json");

        Assert.Equal(plain, json);
        Assert.True(JsonDocument.Parse(json).RootElement.GetProperty("price").GetDouble() > 0);
    }
}
