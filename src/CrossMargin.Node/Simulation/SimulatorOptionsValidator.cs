using CrossMargin.Simulator;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Simulation;

/// <summary>Checks <see cref="SimulatorOptions"/> at start, naming each bad setting.</summary>
public sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
