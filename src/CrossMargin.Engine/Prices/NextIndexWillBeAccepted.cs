namespace CrossMargin.Engine.Prices;

/// <summary>The answer to <see cref="AcceptNextIndex"/>: the next index of the asset is accepted without the move band.</summary>
/// <param name="Asset">The asset code.</param>
/// <param name="LastIndex">The index in force now (the last accepted, or the opening market's when none was).</param>
public sealed record NextIndexWillBeAccepted(string Asset, decimal LastIndex);
