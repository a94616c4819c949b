using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Actors.TestKit;

/// <summary>
/// A logger provider that keeps every entry of a test's actor system (and echoes it to the test output), so a
/// test can assert on what was logged, such as the errors a supervisor reported.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ITestOutputHelper? _output;

    /// <summary>Captures, and writes to <paramref name="output"/> when given.</summary>
    public CapturedLogs(ITestOutputHelper? output = null)
    {
        _output = output;
    }

    /// <summary>Everything logged so far, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Errors (and worse) whose exception is a <typeparamref name="TException"/>.</summary>
    public IReadOnlyList<LogEntry> Errors<TException>()
        where TException : Exception =>
        [.. _entries.Where(e => e.Level >= LogLevel.Error && e.Exception is TException)];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        try
        {
            _output?.WriteLine($"[{entry.Level}] {entry.Category}: {entry.Message}{(entry.Exception is null ? "" : " | " + entry.Exception.GetType().Name + ": " + entry.Exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; xunit refuses late output.
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}
