namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the <see cref="InsuranceFundActor"/> for its <see cref="InsuranceFundView"/>.</summary>
public sealed record GetInsuranceFund
{
    /// <summary>The one instance.</summary>
    public static GetInsuranceFund Instance { get; } = new();
}
