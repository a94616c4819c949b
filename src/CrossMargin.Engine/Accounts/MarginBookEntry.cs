using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// What an account publishes about itself for its shard's re-margin pass (<see cref="MarginPass"/>): its compiled
/// holdings, the kernel of its mode's calculator, and the figures it held when it wrote them. A value, not kept:
/// <see cref="MarginBookSlot.Write(in MarginBookEntry)"/> copies it into the slot's row and held figures under the row's counter, and names
/// what it wrote by a version (<see cref="MarginBookSlot.Version"/>) rather than by an object made per fill.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Kernel">The kernel of the calculator the account is margined with.</param>
/// <param name="Holdings">The account's cross pool, compiled by <paramref name="Kernel"/>.</param>
/// <param name="Held">The figures (and so the limits) the account held and had published (null when it has none yet).</param>
internal readonly record struct MarginBookEntry(string AccountId, StandardCrossKernel Kernel, CompiledHoldings Holdings, MarginBookFigures? Held);
