namespace CrossMargin.Persistence.Migrations;

/// <summary>One numbered schema step, from an embedded <c>NNNN_name.sql</c> file.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
