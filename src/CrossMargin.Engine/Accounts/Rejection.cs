namespace CrossMargin.Engine.Accounts;

/// <summary>A refused command: a stable code and a message a person can act on, with the numbers.</summary>
/// <param name="Code">Why.</param>
/// <param name="Message">What, with the figures (e.g. equity and initial margin after the change).</param>
public sealed record Rejection(RejectionCode Code, string Message);
