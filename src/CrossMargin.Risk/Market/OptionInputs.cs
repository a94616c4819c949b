using CrossMargin.Risk.Instruments;

namespace CrossMargin.Risk.Market;

/// <summary>The Black-76 inputs of one option at the snapshot's instant.</summary>
/// <param name="Option">The option.</param>
/// <param name="Forward">Forward of the option's expiry, USD per unit of underlying.</param>
/// <param name="Years">Time to expiry, ACT/365.</param>
/// <param name="Volatility">Implied volatility, annualised.</param>
/// <param name="Rate">Discount rate, continuously compounded.</param>
public sealed record OptionInputs(OptionContract Option, double Forward, double Years, double Volatility, double Rate)
{
    /// <summary>Days to expiry (ACT/365), for time-scaled vol shocks.</summary>
    public double Days => Years * 365.0;
}
