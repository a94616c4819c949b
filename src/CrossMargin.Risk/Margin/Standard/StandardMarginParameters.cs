using System.Collections.Frozen;
using CrossMargin.Risk.Instruments;

namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// Parameters of the standard model: risk-limit schedules looked up by instrument symbol, then by underlying, then
/// the default ("*"); and the option margin parameters.
/// </summary>
public sealed class StandardMarginParameters
{
    /// <summary>The key of the schedule that applies when neither the symbol nor the underlying has one.</summary>
    public const string DefaultKey = "*";

    private readonly FrozenDictionary<string, RiskLimitSchedule> _schedules;

    /// <summary>
    /// Creates the parameters; a default schedule ("*") is required, and the option parameters must keep a short option's
    /// maintenance margin at or below its initial margin at every out-of-the-money distance.
    /// </summary>
    public StandardMarginParameters(IReadOnlyDictionary<string, RiskLimitSchedule> riskLimits, OptionMarginParameters options)
    {
        if (!riskLimits.ContainsKey(DefaultKey))
        {
            throw new ArgumentException("Risk limits need a default schedule under \"*\".", nameof(riskLimits));
        }

        // max(MB - x, MF) <= max(IB - x, IF) for every OTM fraction x >= 0 exactly when MF <= IF (x large) and
        // MB <= max(IB, IF) (x = 0, and below it for every x). Otherwise an account that passes the initial-margin check
        // on a short option could stand below maintenance, in liquidation, at the same marks.
        if (options.MaintenanceFloor > options.InitialFloor || options.MaintenanceBase > Math.Max(options.InitialBase, options.InitialFloor))
        {
            throw new ArgumentException(
                $"Option margin: maintenance base {options.MaintenanceBase} and floor {options.MaintenanceFloor} would put a short option's maintenance " +
                $"above its initial margin (initial base {options.InitialBase}, floor {options.InitialFloor}); need maintenance floor <= initial floor " +
                "and maintenance base <= the larger of the initial base and floor.",
                nameof(options));
        }

        _schedules = riskLimits.ToFrozenDictionary(StringComparer.Ordinal);
        Options = options;
    }

    /// <summary>Short-option margin parameters.</summary>
    public OptionMarginParameters Options { get; }

    /// <summary>The schedules by key.</summary>
    public IReadOnlyDictionary<string, RiskLimitSchedule> RiskLimits => _schedules;

    /// <summary>The schedule that applies to <paramref name="instrument"/>.</summary>
    public RiskLimitSchedule ScheduleFor(Instrument instrument) =>
        _schedules.GetValueOrDefault(instrument.Symbol)
        ?? _schedules.GetValueOrDefault(instrument.Underlying)
        ?? _schedules[DefaultKey];
}
