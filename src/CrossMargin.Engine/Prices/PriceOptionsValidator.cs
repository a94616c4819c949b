using Microsoft.Extensions.Options;

namespace CrossMargin.Engine.Prices;

/// <summary>Rejects bad <see cref="PriceOptions"/> at start-up through the options pipeline.</summary>
public sealed class PriceOptionsValidator : IValidateOptions<PriceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PriceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
