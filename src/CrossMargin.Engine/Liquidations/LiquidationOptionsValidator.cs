using Microsoft.Extensions.Options;

namespace CrossMargin.Engine.Liquidations;

/// <summary>Checks <see cref="LiquidationOptions"/> at start, naming each bad setting.</summary>
public sealed class LiquidationOptionsValidator : IValidateOptions<LiquidationOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LiquidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
