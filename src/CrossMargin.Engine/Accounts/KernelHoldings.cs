using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Holdings compiled by <paramref name="Kernel"/>: kept with the kernel that compiled them, since compiled holdings are
/// valid only for it (a parameter set applied in between brings new kernels).
/// </summary>
/// <param name="Kernel">The kernel that compiled them.</param>
/// <param name="Holdings">The compiled holdings.</param>
internal sealed record KernelHoldings(StandardCrossKernel Kernel, CompiledHoldings Holdings);
