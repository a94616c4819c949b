namespace CrossMargin.Engine.Liquidations;

/// <summary>Where an <see cref="UnbalancedAdlFill"/> stands.</summary>
public enum UnbalancedAdlStatus
{
    /// <summary>The counterparty's side stands, nothing against it: an operator rebooks its reversal (<see cref="RebookAdlReversal"/>).</summary>
    Unbalanced,

    /// <summary>A rebooking is sent and not answered yet (after a restart too, until the account answers it).</summary>
    Rebooking,

    /// <summary>The counterparty applied the rebooked reversal, journaled (<see cref="AutoDeleverageRebookingBooked"/>): the pair nets again.</summary>
    Booked,
}
