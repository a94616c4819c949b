namespace CrossMargin.Risk.Serialization;

/// <summary>Reads an input file, turning I/O failures into one clear line.</summary>
internal static class FileText
{
    public static string Read(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RiskInputException($"Cannot read the {what} file {path}: {e.Message}", e);
        }
    }
}
