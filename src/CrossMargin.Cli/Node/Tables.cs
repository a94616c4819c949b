using Spectre.Console;
using Spectre.Console.Rendering;

namespace CrossMargin.Cli.Node;

/// <summary>Spectre tables of plain text (cells are never read as markup: ids and reasons may hold brackets).</summary>
public static class Tables
{
    /// <summary>A table with <paramref name="columns"/>.</summary>
    public static Table Create(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column)));
        }

        return table;
    }

    /// <summary>Adds a row of plain text.</summary>
    public static void Row(Table table, params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());
    }

    /// <summary>Writes a line of plain text.</summary>
    public static void Line(IAnsiConsole console, string text)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Write(new Text(text + Environment.NewLine));
    }
}
