using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CrossMargin.Risk.Margin.Kernel;

/// <summary>
/// Prefetch hints for loops that walk objects scattered over the heap (a re-margin pass over a partition's accounts):
/// asking for an object's cache lines a few iterations before they are read lets those memory loads overlap with the
/// arithmetic in between instead of stalling it. A hint changes no result: an address made stale by the GC moving the
/// object meanwhile, or a processor without the instruction, only loses the speed-up.
/// </summary>
public static class CacheHints
{
    private const int LineBytes = 64;

    /// <summary>Hints the processor to load the first <paramref name="bytes"/> of <paramref name="target"/> (nothing when null).</summary>
    public static void Prefetch(object? target, int bytes = LineBytes)
    {
        if (!Sse.IsSupported || target is null)
        {
            return;
        }

        // The reference is the object's address as the GC last placed it; it is only ever handed to the hint.
        var address = Unsafe.As<object, nint>(ref target);
        var end = address + bytes;
        for (var line = address & ~(nint)(LineBytes - 1); line < end; line += LineBytes)
        {
            Hint(line);
        }
    }

    private static unsafe void Hint(nint address) => Sse.Prefetch0((void*)address);
}
