namespace CrossMargin.Risk.Stress;

/// <summary>The smallest uniform moves, down and up, that make a portfolio's cross pool bankrupt.</summary>
/// <param name="Down">The move down, or null when no move down to the search's limit bankrupts it.</param>
/// <param name="Up">The move up, or null when no move up to the search's limit bankrupts it.</param>
/// <param name="Tolerance">Width of the final bracket: the true crossing lies within it.</param>
/// <param name="GridStep">Step of the scan that brackets the first crossing before bisection.</param>
public sealed record ReverseStressResult(ReverseStressPoint? Down, ReverseStressPoint? Up, double Tolerance, double GridStep)
{
    /// <summary>The smaller of the two in size, or null when neither direction bankrupts the pool.</summary>
    public ReverseStressPoint? Smallest =>
        Down is null ? Up : Up is null ? Down : Math.Abs(Up.Move) < Math.Abs(Down.Move) ? Up : Down;
}
