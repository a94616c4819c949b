namespace CrossMargin.Risk.Instruments;

/// <summary>The right an option gives its holder.</summary>
public enum OptionKind
{
    /// <summary>The right to buy the underlying at the strike.</summary>
    Call,

    /// <summary>The right to sell the underlying at the strike.</summary>
    Put,
}
