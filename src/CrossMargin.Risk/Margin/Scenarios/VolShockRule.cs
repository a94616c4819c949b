namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>How far a scenario shocks an option's implied volatility.</summary>
/// <param name="Relative">
/// True: up = vol x (1 + Up x scale), down = vol x (1 - Down x scale) (Deribit). False: up = vol + Up x scale,
/// down = vol - Down x scale, in vol points as fractions (SPAN's volatility scan range).
/// </param>
/// <param name="Up">Size of the up shock.</param>
/// <param name="Down">Size of the down shock.</param>
/// <param name="ReferenceDays">
/// Days at which scale = 1. scale = (ReferenceDays / days)^power, with <paramref name="ShortTermPower"/> below
/// ReferenceDays and <paramref name="LongTermPower"/> from it on (Deribit: 30, 0.30, 0.13). Powers of 0 switch
/// the scaling off. Days are floored at one day so the scale stays finite at expiry.
/// </param>
/// <param name="ShortTermPower">Power for options expiring within ReferenceDays.</param>
/// <param name="LongTermPower">Power for longer options.</param>
/// <param name="MinShockedUpVol">Floor of an up-shocked volatility (Deribit: 0.50).</param>
/// <param name="MinVol">Floor of any shocked volatility, so pricing stays defined.</param>
public sealed record VolShockRule(
    bool Relative, double Up, double Down, double ReferenceDays = 30, double ShortTermPower = 0, double LongTermPower = 0,
    double MinShockedUpVol = 0, double MinVol = 0.0001)
{
    /// <summary>The volatility after shocking <paramref name="vol"/> for an option <paramref name="days"/> from expiry.</summary>
    public double Apply(double vol, double days, VolShockDirection direction)
    {
        if (direction == VolShockDirection.None)
        {
            return vol;
        }

        var d = Math.Max(days, 1.0);
        var power = d < ReferenceDays ? ShortTermPower : LongTermPower;
        var scale = power == 0 ? 1.0 : Math.Pow(ReferenceDays / d, power);
        var shocked = direction == VolShockDirection.Up
            ? Math.Max(Relative ? vol * (1 + (Up * scale)) : vol + (Up * scale), MinShockedUpVol)
            : Relative ? vol * (1 - (Down * scale)) : vol - (Down * scale);
        return Math.Max(shocked, MinVol);
    }
}
