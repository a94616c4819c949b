using System.Globalization;
using System.Text.RegularExpressions;

namespace CrossMargin.Cli.Tests;

/// <summary>Runs every <c>```console</c> example of the README and compares its output, so the README cannot go stale.</summary>
public sealed partial class ReadmeExamplesTests
{
    public static TheoryData<int> Examples()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ConsoleBlocks().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Readme_has_examples_for_margin_and_price()
    {
        var commands = ConsoleBlocks().Select(b => b.Command).ToArray();
        Assert.Contains(commands, c => c.StartsWith("cm margin", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.EndsWith("| cm price", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Readme_example_prints_what_the_readme_shows(int index)
    {
        var (command, expected) = ConsoleBlocks()[index];
        string input = "";
        var line = command;
        var pipe = EchoPipe().Match(command);
        if (pipe.Success)
        {
            input = pipe.Groups["input"].Value + "\n";
            line = pipe.Groups["command"].Value;
        }

        var args = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(a => a.StartsWith("config/", StringComparison.Ordinal) ? RepositoryRoot.Combine(a) : a).ToArray();
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);

        var exit = CliApp.Run(args, new StringReader(input), output, error);

        Assert.True(exit == 0, $"`{command}` exited {exit}: {error}");
        Assert.Equal(expected.TrimEnd(), output.ToString().ReplaceLineEndings("\n").TrimEnd());
    }

    private static List<(string Command, string Output)> ConsoleBlocks()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md")).ReplaceLineEndings("\n");
        return ConsoleBlock().Matches(readme)
            .Select(m => m.Groups["body"].Value.Split('\n', 2))
            .Select(parts => (parts[0].TrimStart('$', ' '), parts.Length > 1 ? parts[1] : ""))
            .ToList();
    }

    [GeneratedRegex("```console\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex("^echo '(?<input>[^']*)' \\| (?<command>cm .*)$")]
    private static partial Regex EchoPipe();
}
