namespace CrossMargin.Node.Logging;

/// <summary>One log event as <c>log peek</c> shows it.</summary>
/// <param name="Time">When it was logged.</param>
/// <param name="Level">Serilog's level (Information, Warning, ...).</param>
/// <param name="Source">The logger category.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Exception">The exception's type and message, when there was one (never its stack trace: this leaves the process over HTTP).</param>
public sealed record LogLine(DateTimeOffset Time, string Level, string Source, string Message, string? Exception);
