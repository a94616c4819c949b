namespace CrossMargin.Cli.Tests;

/// <summary>Finds the repository root (the folder holding CrossMargin.sln) from the test's output folder.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(string relative) => System.IO.Path.Combine(Path, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CrossMargin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CrossMargin.sln not found above " + AppContext.BaseDirectory);
    }
}
