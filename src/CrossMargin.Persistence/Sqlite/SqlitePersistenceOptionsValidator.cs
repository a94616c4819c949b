using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>Checks <see cref="SqlitePersistenceOptions"/>.</summary>
public sealed class SqlitePersistenceOptionsValidator : IValidateOptions<SqlitePersistenceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SqlitePersistenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.DataDirectory)} is required.");
        }

        if (string.IsNullOrWhiteSpace(options.FileName) || options.FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.FileName)} must be a plain file name (was '{options.FileName}').");
        }

        if (options.BusyTimeout < TimeSpan.FromMilliseconds(1) || options.BusyTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.BusyTimeout)} must be between 1 ms and 5 min (was {options.BusyTimeout}).");
        }

        if (options.CacheSizeMebibytes is < 1 or > 4096)
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.CacheSizeMebibytes)} must be between 1 and 4096 (was {options.CacheSizeMebibytes}).");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.PollInterval)} must be at least 10 ms (was {options.PollInterval}).");
        }

        if (options.CheckpointPages is < 100 or > 1_000_000)
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.CheckpointPages)} must be between 100 and 1,000,000 (was {options.CheckpointPages}).");
        }

        if (options.BackgroundCheckpoint && options.WalHardLimitPages <= options.CheckpointPages)
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.WalHardLimitPages)} ({options.WalHardLimitPages}) must exceed {nameof(SqlitePersistenceOptions.CheckpointPages)} ({options.CheckpointPages}).");
        }

        if (options.CheckpointInterval < TimeSpan.FromMilliseconds(1) || options.CheckpointInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{nameof(SqlitePersistenceOptions.CheckpointInterval)} must be between 1 ms and 1 min (was {options.CheckpointInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
