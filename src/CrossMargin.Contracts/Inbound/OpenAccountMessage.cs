using CrossMargin.Engine.Accounts;

namespace CrossMargin.Contracts.Inbound;

/// <summary>Opens an account (from the venue's account service); every other message to an unopened account is refused.</summary>
public sealed record OpenAccountMessage : AccountMessage<OpenAccount>
{
    /// <summary><c>standard</c> (the default) or <c>portfolio</c>.</summary>
    public string? Mode { get; init; }

    private protected override OpenAccount Build(FieldCheck check, string messageId, string source, long sequence)
    {
        var mode = Mode switch
        {
            null or "standard" => MarginMode.StandardCross,
            "portfolio" => MarginMode.Portfolio,
            _ => Fail(check),
        };
        return new OpenAccount(messageId, source, sequence, mode);
    }

    private MarginMode Fail(FieldCheck check)
    {
        check.Fail("mode", $"must be standard or portfolio, not '{Mode}'.");
        return MarginMode.StandardCross;
    }
}
