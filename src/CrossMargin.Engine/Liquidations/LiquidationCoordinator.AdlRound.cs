namespace CrossMargin.Engine.Liquidations;

/// <summary>A round sent to its accounts.</summary>
public sealed partial class LiquidationCoordinator
{
    /// <summary>
    /// A round sent to its accounts: whether each fill's counterparty applied its side, refused it, or has not answered
    /// (null), the bankrupt sides sent so far, and whether sides are announced as they apply (not for a round settled
    /// before a restart).
    /// </summary>
    private sealed class AdlRound(AutoDeleverageExecuted executed, bool announces)
    {
        public AutoDeleverageExecuted Executed => executed;

        public bool Announces => announces;

        public bool?[] Applied { get; } = new bool?[executed.Fills.Count];

        /// <summary>The first fill whose bankrupt side is not sent yet.</summary>
        public int Next { get; set; }

        /// <summary>The sequences of the reversals of counterparty sides whose bankrupt side was refused, by fill.</summary>
        public Dictionary<int, long> Reversals { get; } = [];
    }

    /// <summary>Which execution of a fill an answer is awaited for.</summary>
    private enum AdlSide
    {
        /// <summary>The counterparty's side, sent first.</summary>
        Counterparty,

        /// <summary>The bankrupt account's side, sent once the counterparty's applied.</summary>
        Bankrupt,

        /// <summary>The counterparty's side undone, its bankrupt side refused (<see cref="AutoDeleverageBankruptSideRefused.ReversalSequence"/>).</summary>
        Reversal,

        /// <summary>An operator's rebooking of a refused reversal (<see cref="AutoDeleverageReversalRebooked"/>).</summary>
        Rebook,
    }
}
