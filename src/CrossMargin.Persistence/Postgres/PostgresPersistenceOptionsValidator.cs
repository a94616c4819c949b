using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence.Postgres;

/// <summary>Checks <see cref="PostgresPersistenceOptions"/>.</summary>
public sealed partial class PostgresPersistenceOptionsValidator : IValidateOptions<PostgresPersistenceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PostgresPersistenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"{nameof(PostgresPersistenceOptions.ConnectionString)} is required.");
        }

        if (!Identifier().IsMatch(options.NotificationChannel ?? string.Empty))
        {
            errors.Add($"{nameof(PostgresPersistenceOptions.NotificationChannel)} must be a lower-case SQL identifier (was '{options.NotificationChannel}').");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"{nameof(PostgresPersistenceOptions.PollInterval)} must be at least 10 ms (was {options.PollInterval}).");
        }

        if (options.AppendConnections < 1)
        {
            errors.Add($"{nameof(PostgresPersistenceOptions.AppendConnections)} must be at least 1 (was {options.AppendConnections}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
