using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>Opens an account (from the venue's account service); every other message to an unopened account is refused.</summary>
public sealed record OpenAccountMessage : AccountMessage<OpenAccount>
{
    /// <summary>
    /// <c>standard</c> (the default), <c>portfolio</c>, <c>simm</c>, <c>var</c>, <c>es</c> or <c>composite</c> (see
    /// <see cref="MarginModeNames"/>).
    /// </summary>
    public string? Mode { get; set; }

    private protected override OpenAccount Build(FieldCheck check, string messageId, string source, long sequence)
    {
        var mode = Mode is null ? MarginMode.StandardCross : MarginModeNames.Parse(Mode) ?? Fail(check);
        return new OpenAccount(messageId, source, sequence, mode);
    }

    private MarginMode Fail(FieldCheck check)
    {
        check.Fail("mode", $"must be one of {MarginModeNames.List}, not '{Mode}'.");
        return MarginMode.StandardCross;
    }
}
