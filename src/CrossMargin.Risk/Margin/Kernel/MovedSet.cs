namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>Which instruments and assets (by the kernel's dense indexes) a market change moved; see <see cref="StandardKernelMarket.Moved"/>.</summary>
public sealed class MovedSet
{
    internal MovedSet(bool[] instruments, bool[] assets)
    {
        Instruments = instruments;
        Assets = assets;
    }

    internal bool[] Instruments { get; }

    internal bool[] Assets { get; }
}
