using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence.Journal;

/// <summary>Checks <see cref="JournalOptions"/>; the writer refuses to start on invalid settings.</summary>
public sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    private static readonly TimeSpan MaxCallTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBatchSize < 1)
        {
            errors.Add($"{nameof(JournalOptions.MaxBatchSize)} must be at least 1 (was {options.MaxBatchSize}).");
        }

        if (options.MaxBatchDelay < TimeSpan.Zero || options.MaxBatchDelay > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(JournalOptions.MaxBatchDelay)} must be between 0 and 1 s (was {options.MaxBatchDelay}).");
        }

        if (options.LingerThreshold < 1)
        {
            errors.Add($"{nameof(JournalOptions.LingerThreshold)} must be at least 1 (was {options.LingerThreshold}).");
        }

        if (options.Writers is < 1 or > 64)
        {
            errors.Add($"{nameof(JournalOptions.Writers)} must be between 1 and 64 (was {options.Writers}).");
        }

        if (options.MaxPendingWrites < options.Writers)
        {
            errors.Add($"{nameof(JournalOptions.MaxPendingWrites)} must be at least {nameof(JournalOptions.Writers)} (was {options.MaxPendingWrites}).");
        }

        // Each batch's timeout is a timer, which cannot run longer than uint.MaxValue - 1 ms (~49.7 days): a longer one threw
        // in the writer loop at its first batch, which ended the loop and left every append waiting for ever.
        if (options.CallTimeout <= TimeSpan.Zero || options.CallTimeout > MaxCallTimeout)
        {
            errors.Add($"{nameof(JournalOptions.CallTimeout)} must be positive and at most {MaxCallTimeout} (was {options.CallTimeout}).");
        }

        if (options.CircuitBreakerMaxFailures < 1)
        {
            errors.Add($"{nameof(JournalOptions.CircuitBreakerMaxFailures)} must be at least 1 (was {options.CircuitBreakerMaxFailures}).");
        }

        if (options.CircuitBreakerResetTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(JournalOptions.CircuitBreakerResetTimeout)} must be positive (was {options.CircuitBreakerResetTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
