using BenchmarkDotNet.Attributes;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Pricing;

namespace CrossMargin.Benchmarks.Pricing;

/// <summary>
/// Black-76 price and Greeks, the inner loop of every portfolio revaluation: nanoseconds per
/// option and, via <see cref="MemoryDiagnoserAttribute"/>, proof that it allocates nothing.
/// </summary>
[MemoryDiagnoser]
public class Black76Benchmarks
{
    private const int BatchSize = 1_000;

    private readonly OptionKind[] _kinds = new OptionKind[BatchSize];
    private readonly double[] _strikes = new double[BatchSize];
    private readonly double[] _years = new double[BatchSize];
    private readonly double[] _vols = new double[BatchSize];
    private double _forward;

    /// <summary>A seeded book of 1,000 options around a 60,000 forward: strikes ±50%, 1 day to 2 years, 30%–150% vol.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _forward = 60_000;
        var random = new Random(20_240_601);
        for (var i = 0; i < BatchSize; i++)
        {
            _kinds[i] = (i & 1) == 0 ? OptionKind.Call : OptionKind.Put;
            _strikes[i] = _forward * (0.5 + random.NextDouble());
            _years[i] = (1.0 / 365) + (2.0 * random.NextDouble());
            _vols[i] = 0.3 + (1.2 * random.NextDouble());
        }
    }

    /// <summary>One at-the-money-ish call: latency of a single revaluation.</summary>
    [Benchmark(Baseline = true)]
    public OptionGreeks OneOption() => Black76.Greeks(OptionKind.Call, _forward, 62_000, 0.25, 0.65, 0.05);

    /// <summary>1,000 mixed options, reported per option; the sum keeps the work from being elided.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public double ThousandOptions()
    {
        var total = 0.0;
        for (var i = 0; i < BatchSize; i++)
        {
            var greeks = Black76.Greeks(_kinds[i], _forward, _strikes[i], _years[i], _vols[i], 0.05);
            total += greeks.Price + greeks.Delta + greeks.Gamma + greeks.Vega + greeks.Theta + greeks.Rho;
        }

        return total;
    }
}
