using Microsoft.Extensions.Options;

namespace CrossMargin.Actors;

/// <summary>Rejects bad <see cref="ActorSystemOptions"/> at start-up through the options pipeline.</summary>
public sealed class ActorSystemOptionsValidator : IValidateOptions<ActorSystemOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ActorSystemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
