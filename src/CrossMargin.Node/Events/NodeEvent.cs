namespace CrossMargin.Node.Events;

/// <summary>One event of <c>/api/events</c>.</summary>
/// <param name="Type"><c>account</c>, <c>liquidation</c>, <c>prices</c> or <c>member</c>: the SSE event name.</param>
/// <param name="Time">When the node published it.</param>
/// <param name="Data">The payload, written as JSON.</param>
public sealed record NodeEvent(string Type, DateTimeOffset Time, object Data);
