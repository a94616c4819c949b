using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence;

/// <summary>Turns a failed options validation into an exception at construction, before any I/O.</summary>
internal static class OptionsGuard
{
    public static T ThrowIfInvalid<T>(IValidateOptions<T> validator, T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : options;
    }
}
