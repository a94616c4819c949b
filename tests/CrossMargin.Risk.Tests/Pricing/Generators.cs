using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Pricing;

/// <summary>FsCheck generators for option inputs.</summary>
internal static class Generators
{
    private const int Steps = 1_000_000;

    /// <summary>Uniform on [low, high] in a million steps.</summary>
    public static Gen<double> Uniform(double low, double high) =>
        Gen.Choose(0, Steps).Select(i => low + ((high - low) * i / Steps));

    /// <summary>Log-uniform on [low, high]: as many 1%–10% vols as 100%–1000% ones.</summary>
    public static Gen<double> LogUniform(double low, double high) =>
        Gen.Choose(0, Steps).Select(i => low * Math.Pow(high / low, (double)i / Steps));
}
