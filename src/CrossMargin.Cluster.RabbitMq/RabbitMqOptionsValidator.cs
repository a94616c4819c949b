using Microsoft.Extensions.Options;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>Rejects bad <see cref="RabbitMqOptions"/> at start-up through the options pipeline.</summary>
public sealed class RabbitMqOptionsValidator : IValidateOptions<RabbitMqOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
