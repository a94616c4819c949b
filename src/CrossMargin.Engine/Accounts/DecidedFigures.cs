using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// An account's figures as the decider hands them to the account (<see cref="AccountMarginModels.Decided"/>): as the
/// account holds them, with what the kernel compiled; the calculator's own figures only when the kernel did not compute
/// them (the kernel's are stated from <see cref="Held"/> on request, not made on every command).
/// </summary>
/// <param name="Held">The figures at the market's settlement prices, as the account keeps them.</param>
/// <param name="Figures">The calculator's figures, when the kernel did not compute them; else null.</param>
/// <param name="Model">The cross model's name, when the kernel computed them; else null.</param>
/// <param name="Kernel">The kernel that compiled <paramref name="Holdings"/>, or null.</param>
/// <param name="Holdings">The holdings the kernel compiled (null when no kernel takes them).</param>
internal readonly record struct DecidedFigures(MarginBookFigures Held, MarginFigures? Figures, string? Model, StandardCrossKernel? Kernel, CompiledHoldings? Holdings);
