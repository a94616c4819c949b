namespace CrossMargin.Risk.Margin.Standard;

/// <summary>
/// The conventional margin of a short option, per unit of underlying (Deribit's standard margin):
/// IM = max(InitialBase - OTM / F, InitialFloor) x F + mark, MM = max(MaintenanceBase - OTM / F, MaintenanceFloor) x F
/// + mark, where F is the forward of the option's expiry and OTM the out-of-the-money amount. A long option needs
/// its premium (its mark value), so it adds nothing to available margin.
/// </summary>
/// <param name="InitialBase">0.15 on Deribit.</param>
/// <param name="InitialFloor">0.10 on Deribit.</param>
/// <param name="MaintenanceBase">0.075 on Deribit.</param>
/// <param name="MaintenanceFloor">0.075 on Deribit.</param>
public sealed record OptionMarginParameters(decimal InitialBase, decimal InitialFloor, decimal MaintenanceBase, decimal MaintenanceFloor)
{
    /// <summary>Deribit's published parameters.</summary>
    public static OptionMarginParameters Deribit { get; } = new(0.15m, 0.10m, 0.075m, 0.075m);
}
