namespace CrossMargin.Node.Hosting;

/// <summary>
/// What a node that could not start (or stopped on an error) prints before it exits with <see cref="ExitCode"/>: the
/// exception's messages, outer to inner, one per line. Start failures are mostly an operator's to mend (a setting out
/// of range, a password the broker refuses, a port in use), and the runtime's own report of an unhandled exception (a
/// stack trace and an abort, exit code 134) buries the one line that says what to change. The full exception is in the
/// node's log when the host got far enough to have one.
/// </summary>
public static class StartFailure
{
    /// <summary>The process's exit code when the node could not start or stopped on an error.</summary>
    public const int ExitCode = 1;

    /// <summary>The messages of <paramref name="exception"/> and its inner exceptions (every one of an aggregate), outer first.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        Add(exception, 0, lines);
        return string.Join(Environment.NewLine, lines);
    }

    private static void Add(Exception exception, int depth, List<string> lines)
    {
        var line = $"{new string(' ', 2 * depth)}{exception.GetType().Name}: {exception.Message}";
        if (lines.Count == 0 || !lines[^1].TrimStart().Equals(line.TrimStart(), StringComparison.Ordinal))
        {
            lines.Add(line);
        }

        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(exception.InnerException is { } one ? [one] : []);
        foreach (var e in inner)
        {
            Add(e, depth + 1, lines);
        }
    }
}
