using CrossMargin.Risk.Portfolios;
using static CrossMargin.Risk.Serialization.JsonFields;

namespace CrossMargin.Risk.Serialization;

/// <summary>
/// Reads a book file: <c>{"accounts": [portfolio, ...]}</c>, each account a portfolio object as in a portfolio file
/// (config/examples/book-cascade.json), account ids distinct. Errors name the file and the field
/// (<c>accounts[2].positions[0].quantity</c>).
/// </summary>
public static class BookFile
{
    /// <summary>Reads and checks the book in <paramref name="path"/>.</summary>
    public static IReadOnlyList<Portfolio> Load(string path) => Parse(FileText.Read(path, "book"), path);

    /// <summary>Parses and checks a book; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<Portfolio> Parse(string json, string source)
    {
        using var document = JsonFields.Parse(json, source);
        try
        {
            OnlyKnown(document.RootElement, "", "accounts");
            var accounts = Array(document.RootElement, "accounts", "").Select(x => PortfolioFile.Read(x.Item, x.Path)).ToArray();
            if (accounts.Length == 0)
            {
                throw new RiskInputException("accounts: a book needs at least one account.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < accounts.Length; i++)
            {
                if (!seen.Add(accounts[i].AccountId))
                {
                    throw new RiskInputException($"accounts[{i}].accountId: {accounts[i].AccountId} appears twice in the book.");
                }
            }

            return accounts;
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: {e.Message}", e);
        }
    }
}
