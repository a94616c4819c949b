using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.TestKit;

/// <summary>One captured log entry.</summary>
/// <param name="Level">Severity.</param>
/// <param name="Category">Logger category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The attached exception, if any.</param>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception);
