using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>
/// A request to change the account's margin mode; or, with a symbol, to isolate that position with exactly
/// <see cref="IsolatedMargin"/> of its settlement asset, or to return it to the cross pool (no isolated margin).
/// </summary>
public sealed record MarginModeMessage : AccountMessage<ChangeMarginMode>
{
    /// <summary>
    /// <c>standard</c> (cross), <c>portfolio</c>, <c>simm</c>, <c>var</c>, <c>es</c> or <c>composite</c> (see
    /// <see cref="MarginModeNames"/>); required without a symbol, refused with one (it would not be applied).
    /// </summary>
    public string? Mode { get; set; }

    /// <summary>The position to isolate (with <see cref="IsolatedMargin"/>), or null for the whole account.</summary>
    public string? Symbol { get; set; }

    /// <summary>The isolated position's margin, zero or more; null returns the position to the cross pool.</summary>
    public decimal? IsolatedMargin { get; set; }

    private protected override ChangeMarginMode Build(FieldCheck check, string messageId, string source, long sequence)
    {
        if (Symbol is not null && Mode is not null)
        {
            // Never applied with a symbol (the position takes the standard rules, the pool keeps its mode): refused like an
            // unknown field rather than dropped, since the sender meant something by it.
            check.Fail("mode", "applies only without a symbol (an isolated position is margined by the standard rules; the pool's mode is changed by a message of its own).");
        }

        var mode = Symbol is not null ? MarginMode.StandardCross : MarginModeNames.Parse(Mode) ?? Fail(check);
        if (Symbol is not null)
        {
            check.Id("symbol", Symbol);
            if (IsolatedMargin < 0)
            {
                check.Fail("isolatedMargin", $"must be zero or more, not {IsolatedMargin}.");
            }
        }
        else if (IsolatedMargin is not null)
        {
            check.Fail("isolatedMargin", "applies only with a symbol.");
        }

        return new ChangeMarginMode(messageId, source, sequence, mode, Symbol, IsolatedMargin);
    }

    private MarginMode Fail(FieldCheck check)
    {
        check.Fail("mode", Mode is null ? $"is required (one of {MarginModeNames.List})." : $"must be one of {MarginModeNames.List}, not '{Mode}'.");
        return MarginMode.StandardCross;
    }
}
