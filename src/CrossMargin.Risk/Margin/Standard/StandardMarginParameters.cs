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

    /// <summary>Creates the parameters; a default schedule ("*") is required.</summary>
    public StandardMarginParameters(IReadOnlyDictionary<string, RiskLimitSchedule> riskLimits, OptionMarginParameters options)
    {
        if (!riskLimits.ContainsKey(DefaultKey))
        {
            throw new ArgumentException("Risk limits need a default schedule under \"*\".", nameof(riskLimits));
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
