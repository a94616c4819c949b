using CrossMargin.Risk.Historical;

namespace CrossMargin.Risk.Serialization;

/// <summary>Reads a price-history CSV file (see <see cref="PriceHistoryCsv"/>), with errors naming the file and line.</summary>
public static class PriceHistoryFile
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    public static PriceHistory Load(string path)
    {
        var text = FileText.Read(path, "price history");
        try
        {
            using var reader = new StringReader(text);
            return PriceHistoryCsv.Parse(reader);
        }
        catch (PriceHistoryFormatException e)
        {
            throw new RiskInputException($"{path}: {e.Message}", e);
        }
    }
}
