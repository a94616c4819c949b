namespace CrossMargin.Node.Hosting;

/// <summary>
/// Finds the configuration directory: the <c>--config-dir</c> argument, else the <c>CROSSMARGIN_CONFIG_DIR</c>
/// environment variable, else the first <c>config</c> directory holding a <c>node.json</c> found walking up from the
/// working directory and then from the binaries (so <c>dotnet run</c> from anywhere in the repository finds it).
/// </summary>
public static class ConfigurationDirectory
{
    /// <summary>The environment variable naming the configuration directory.</summary>
    public const string EnvironmentVariable = "CROSSMARGIN_CONFIG_DIR";

    /// <summary>Resolves the directory; throws with every place looked at when there is none.</summary>
    public static string Resolve(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, "--config-dir");
        var given = index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            var full = Path.GetFullPath(given);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"Configuration directory {full} does not exist (from --config-dir or {EnvironmentVariable}).");
        }

        var looked = new List<string>();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "config");
                looked.Add(candidate);
                if (File.Exists(Path.Combine(candidate, "node.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"No configuration directory with a node.json found; pass --config-dir DIR or set {EnvironmentVariable}. Looked in: {string.Join(", ", looked.Distinct())}.");
    }

    /// <summary>
    /// <paramref name="args"/> without <c>--config-dir DIR</c>: left in, the directory (a path starting with '/') would
    /// read as a <c>/key value</c> pair to the command-line configuration and swallow the setting after it.
    /// </summary>
    public static string[] WithoutOption(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, "--config-dir");
        return index < 0 ? args : [.. args[..index], .. args[Math.Min(index + 2, args.Length)..]];
    }

    /// <summary><paramref name="path"/> as given when rooted, else under <paramref name="directory"/>.</summary>
    public static string Under(string directory, string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
}
