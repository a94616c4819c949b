namespace CrossMargin.Engine.Accounts;

/// <summary>What <see cref="MessageLedger"/> says about an inbound message before it is decided.</summary>
public enum MessageVerdict
{
    /// <summary>New and in order (possibly after a gap): decide it.</summary>
    Accepted,

    /// <summary>Its id was seen: acknowledge it and change nothing.</summary>
    Duplicate,

    /// <summary>New id but a sequence at or below its source's highest: reject and report it, change nothing.</summary>
    OutOfOrder,
}
